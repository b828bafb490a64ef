package io.spool.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's side of the channel to its master: connect, prove the secret, then exchange messages. After the
 * handshake one daemon thread reads every frame: a {@code cancel}, which the master may send at any time, goes to
 * the cancel listener; every other frame is the answer that {@link #exchange} waits for.
 */
final class MasterChannel implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(MasterChannel.class);
  private static final int CONNECT_TIMEOUT_MS = 30_000;

  /** Stands in the answer queue for the end of the channel. */
  private static final ObjectNode CLOSED = Messages.of("closed");

  private final Socket socket;
  private final DataOutputStream out;
  private final ObjectNode welcome;
  private final BlockingQueue<ObjectNode> answers = new LinkedBlockingQueue<>();
  private volatile Consumer<String> cancelListener = jobId -> { };
  private volatile Consumer<IOException> closeListener = cause -> { };
  private volatile IOException closed;
  private volatile boolean ending; // closed by this side, or told to stop: the end of the channel is expected

  private MasterChannel(Socket socket, DataInputStream in, DataOutputStream out, ObjectNode welcome) {
    this.socket = socket;
    this.out = out;
    this.welcome = welcome;
    Thread reader = new Thread(() -> readFrames(in), "master-channel-reader");
    reader.setDaemon(true);
    reader.start();
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

  /** Who hears of cancels: called with the job's id on the reader thread, so it must not block. */
  void onCancel(Consumer<String> listener) {
    cancelListener = listener;
  }

  /**
   * Who hears that the channel has closed unexpectedly (the master has gone), on the reader thread; not called after
   * {@link #close()} or a {@code stop} message.
   */
  void onClose(Consumer<IOException> listener) {
    closeListener = listener;
  }

  /**
   * Sends {@code message} and waits for the master's answer (a job or stop); cancels that arrive meanwhile go to
   * the cancel listener. Throws once the channel has closed.
   */
  ObjectNode exchange(ObjectNode message) throws IOException, InterruptedException {
    failIfClosed();
    Frames.write(out, message);
    ObjectNode answer = answers.take();
    if (answer == CLOSED) {
      answers.add(CLOSED); // for the next caller, too
      failIfClosed();
    }
    return answer;
  }

  private void failIfClosed() throws IOException {
    IOException cause = closed;
    if (cause != null) {
      throw new IOException(cause.getMessage(), cause);
    }
  }

  private void readFrames(DataInputStream in) {
    try {
      while (true) {
        ObjectNode frame = Frames.read(in);
        String type = Messages.type(frame);
        if (Messages.CANCEL.equals(type)) {
          deliverCancel(frame.path("job").asText());
        } else if (Messages.CREDENTIALS.equals(type)) {
          useCredentials(frame.path("tokens").asText());
        } else {
          if (Messages.STOP.equals(type)) {
            ending = true;
          }
          answers.add(frame);
        }
      }
    } catch (IOException e) {
      IOException end = new IOException("the channel to the master closed"
          + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
      if (!ending) { // heard before exchange() can fail, so a running job is killed first
        LOG.warn("{}", end.getMessage(), e);
        try {
          closeListener.accept(end);
        } catch (RuntimeException failure) {
          LOG.error("handling the end of the channel failed", failure);
        }
      }
      closed = end;
      answers.add(CLOSED);
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

  private void deliverCancel(String jobId) {
    LOG.info("the master cancels job {}", jobId);
    try {
      cancelListener.accept(jobId);
    } catch (RuntimeException e) {
      LOG.error("handling the cancel of job {} failed", jobId, e);
    }
  }

  @Override
  public void close() throws IOException {
    ending = true;
    socket.close();
  }
}
