package io.spool.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import io.spool.core.model.AttemptStatistics;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.security.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's end of the executor channel. An executor connects, proves the application's secret, and from then
 * on asks for work; each connection is served by one thread that blocks on the scheduler while the executor waits.
 */
final class ExecutorServer implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorServer.class);
  private static final int HANDSHAKE_TIMEOUT_MS = 30_000;

  /** What an executor needs to know about the function and its jobs. */
  interface Work {
    /** The welcome message's content: callable, python, owner, environment. */
    ObjectNode welcome();

    /** The job message for an assignment (arguments, merged environment, timeout). */
    ObjectNode jobMessage(JobRecord job) throws IOException;

    /** Whether the executor should stop instead of taking another job (resized function, too many executors). */
    boolean retire(String container);

    /** A job was handed to an executor (from now on a client may cancel it). */
    void started(String container, JobRecord job);
  }

  private final ServerSocket server;
  private final byte[] secret;
  private final Scheduler scheduler;
  private final ExecutorRegistry registry;
  private final Work work;
  private final long idleReleaseMs;
  private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "executor-connection");
    t.setDaemon(true);
    return t;
  });
  private final Thread acceptor;
  private final Map<String, DataOutputStream> channels = new ConcurrentHashMap<>();

  ExecutorServer(String bindHost, byte[] secret, Scheduler scheduler, ExecutorRegistry registry, Work work,
      long idleReleaseMs) throws IOException {
    this.server = new ServerSocket();
    this.server.bind(new InetSocketAddress(bindHost, 0));
    this.secret = secret;
    this.scheduler = scheduler;
    this.registry = registry;
    this.work = work;
    this.idleReleaseMs = idleReleaseMs;
    this.acceptor = new Thread(this::accept, "executor-acceptor");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.execute(() -> serve(socket));
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        LOG.warn("accepting an executor connection failed", e);
      }
    }
  }

  private void serve(Socket socket) {
    String container = null;
    boolean released = false;
    try (socket) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      String nonce = ChannelSecret.nonce();
      Frames.write(out, Messages.of(Messages.CHALLENGE).put("nonce", nonce));
      ObjectNode hello = Frames.read(in, Frames.MAX_HANDSHAKE_FRAME_BYTES);
      String claimed = hello.path("container").asText();
      if (!Messages.HELLO.equals(Messages.type(hello))
          || !ChannelSecret.verify(secret, nonce, claimed, hello.path("mac").asText(null))) {
        LOG.warn("refused a connection from {}: bad proof of the application secret", socket.getRemoteSocketAddress());
        Frames.write(out, Messages.of(Messages.REFUSED).put("error", "authentication failed"));
        return;
      }
      if (!registry.connected(claimed)) {
        Frames.write(out, Messages.of(Messages.REFUSED).put("error", "unknown container " + claimed));
        return;
      }
      container = claimed;
      channels.put(container, out);
      socket.setSoTimeout(0);
      Frames.write(out, work.welcome().put(Messages.TYPE, Messages.WELCOME));
      while (true) {
        ObjectNode message = Frames.read(in);
        String type = Messages.type(message);
        if (Messages.DONE.equals(type)) {
          scheduler.complete(container, outcome(message));
        } else if (!Messages.NEXT.equals(type)) {
          throw new IOException("unexpected " + type + " message from executor " + container);
        }
        String executor = container;
        Optional<Assignment> next = scheduler.next(container, idleReleaseMs, () -> work.retire(executor));
        if (next.isEmpty()) {
          released = true;
          Frames.write(out, Messages.of(Messages.STOP).put("reason",
              work.retire(container) ? "retired: the function was resized" : "no more work"));
          return;
        }
        try {
          Frames.write(out, work.jobMessage(next.get().record()));
          work.started(container, next.get().record());
        } catch (IOException e) {
          scheduler.executorDisconnected(container);
          throw e;
        }
      }
    } catch (EOFException | SocketException gone) {
      LOG.info("executor {} disconnected", container);
    } catch (IOException e) {
      if (container == null) {
        LOG.warn("refused a connection from {}: {}", socket.getRemoteSocketAddress(), e.toString());
        return;
      }
      LOG.warn("channel to executor {} failed", container, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("serving executor {} failed", container, e);
    } finally {
      if (container != null) {
        channels.remove(container);
        if (!released) {
          scheduler.executorDisconnected(container);
        }
      }
    }
  }

  /** Tells an executor to kill the job it runs (a client canceled it); false if the executor is not connected. */
  boolean cancel(String container, String jobId) {
    DataOutputStream out = channels.get(container);
    if (out == null) {
      return false;
    }
    try {
      Frames.write(out, Messages.of(Messages.CANCEL).put("job", jobId));
      return true;
    } catch (IOException e) {
      LOG.warn("could not tell executor {} to cancel job {}", container, jobId, e);
      return false;
    }
  }

  /** Sends every connected executor fresh delegation tokens; returns to how many it sent them. */
  int sendCredentials(Credentials credentials) throws IOException {
    DataOutputBuffer buffer = new DataOutputBuffer();
    credentials.writeTokenStorageToStream(buffer);
    ObjectNode message = Messages.of(Messages.CREDENTIALS).put("tokens",
        Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.getData(), buffer.getLength())));
    int sent = 0;
    for (Map.Entry<String, DataOutputStream> channel : channels.entrySet()) {
      try {
        Frames.write(channel.getValue(), message);
        sent++;
      } catch (IOException e) {
        LOG.warn("could not send fresh delegation tokens to executor {}", channel.getKey(), e);
      }
    }
    return sent;
  }

  private static Outcome outcome(ObjectNode done) {
    JsonNode exit = done.get("exitCode");
    JsonNode stats = done.get("statistics");
    return new Outcome(done.path("job").asText(), JobStatus.valueOf(done.path("status").asText()),
        exit == null || exit.isNull() ? null : exit.asInt(),
        done.hasNonNull("errorReason") ? done.get("errorReason").asText() : null,
        done.path("runtime").asDouble(),
        done.hasNonNull("resultKind") ? done.get("resultKind").asText() : null,
        stats == null || !stats.isObject() ? null : new AttemptStatistics(stats.path("cpuSeconds").asDouble(),
            stats.path("cpuPercent").asDouble(), stats.path("peakMemoryBytes").asLong(),
            stats.path("averageMemoryBytes").asLong()),
        done.hasNonNull("result") ? done.get("result").asText() : null,
        done.hasNonNull("log") ? done.get("log").asText() : null);
  }

  @Override
  public void close() throws IOException {
    server.close();
    connections.shutdownNow();
  }
}
