package io.spool.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The executor's side of the channel to its master: connect, prove the secret, then exchange messages. */
final class MasterChannel implements Closeable {

  private static final int CONNECT_TIMEOUT_MS = 30_000;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final ObjectNode welcome;

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

  /** Sends {@code message} and waits for the master's answer (a job or stop). */
  ObjectNode exchange(ObjectNode message) throws IOException {
    Frames.write(out, message);
    return Frames.read(in);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
