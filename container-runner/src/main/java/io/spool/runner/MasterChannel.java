package io.spool.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's side of the channel to its master: connect, prove the secret, then exchange messages. After the
 * handshake one daemon thread reads every frame and hands it to its listener ({@code jobs}, {@code cancel},
 * {@code stop}; fresh credentials are put to use here); any thread may {@link #send}.
 */
final class MasterChannel implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(MasterChannel.class);
  private static final int CONNECT_TIMEOUT_MS = 30_000;

  /** Who hears what the master says; called on the reader thread, so nothing may block. */
  interface Listener {
    /** Jobs to run one after another, in this order. */
    void jobs(List<JsonNode> jobs);

    /** Kill the job if it runs, drop it if it waits. */
    void cancel(String jobId);

    /** The master says stop (it gives no more work). */
    void stop(String reason);

    /** The channel closed without a stop (the master has gone). */
    void lost(IOException cause);
  }

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final ObjectNode welcome;
  private volatile boolean ending; // closed by this side, or told to stop: the end of the channel is expected

  private MasterChannel(Socket socket, DataInputStream in, DataOutputStream out, ObjectNode welcome) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.welcome = welcome;
  }

  /** Connects to {@code host:port} and authenticates as {@code container}. */
  static MasterChannel connect(String host, int port, String container, byte[] secret) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      ObjectNode challenge = expect(Frames.read(in), Messages.CHALLENGE);
      ObjectNode hello = Messages.of(Messages.HELLO);
      hello.put("container", container);
      hello.put("mac", ChannelSecret.mac(secret, challenge.get("nonce").asText(), container));
      hello.put("protocol", Messages.PROTOCOL);
      Frames.write(out, hello);
      ObjectNode answer = Frames.read(in);
      if (Messages.REFUSED.equals(Messages.type(answer))) {
        throw new IOException("the master refused this executor: " + answer.path("error").asText());
      }
      return new MasterChannel(socket, in, out, expect(answer, Messages.WELCOME));
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static ObjectNode expect(ObjectNode message, String type) throws IOException {
    if (!type.equals(Messages.type(message))) {
      throw new IOException("expected a " + type + " message from the master, got " + Messages.type(message));
    }
    return message;
  }

  ObjectNode welcome() {
    return welcome;
  }

  /** Starts reading the master's messages and handing them to {@code listener}; call once. */
  void listen(Listener listener) {
    Thread reader = new Thread(() -> readFrames(listener), "master-channel-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends one message (whole, even from several threads at once). */
  void send(ObjectNode message) throws IOException {
    Frames.write(out, message);
  }

  private void readFrames(Listener listener) {
    try {
      while (true) {
        ObjectNode frame = Frames.read(in);
        String type = Messages.type(frame);
        if (Messages.JOBS.equals(type)) {
          List<JsonNode> jobs = new ArrayList<>();
          frame.path("jobs").forEach(jobs::add);
          listener.jobs(jobs);
        } else if (Messages.CANCEL.equals(type)) {
          LOG.info("the master cancels job {}", frame.path("job").asText());
          listener.cancel(frame.path("job").asText());
        } else if (Messages.CREDENTIALS.equals(type)) {
          useCredentials(frame.path("tokens").asText());
        } else if (Messages.STOP.equals(type)) {
          ending = true;
          listener.stop(frame.path("reason").asText());
        } else {
          LOG.warn("ignoring an unknown {} message from the master", type);
        }
      }
    } catch (IOException e) {
      if (!ending) {
        IOException end = new IOException("the channel to the master closed"
            + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        LOG.warn("{}", end.getMessage(), e);
        listener.lost(end);
      }
    } catch (RuntimeException e) {
      LOG.error("handling a message from the master failed", e);
      listener.lost(new IOException("handling a message from the master failed: " + e, e));
    }
  }

  /** Fresh delegation tokens from the master: this process's user holds them from now on (same services replaced). */
  private static void useCredentials(String tokens) {
    try {
      Credentials credentials = new Credentials();
      credentials.readTokenStorageStream(new DataInputStream(new ByteArrayInputStream(
          Base64.getDecoder().decode(tokens))));
      UserGroupInformation.getCurrentUser().addCredentials(credentials);
      LOG.info("the master sent {} fresh delegation tokens", credentials.numberOfTokens());
    } catch (IOException | IllegalArgumentException e) {
      LOG.error("could not use the delegation tokens the master sent", e);
    }
  }

  @Override
  public void close() throws IOException {
    ending = true;
    socket.close();
  }
}
