package io.spool.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's end of the executor channels, all of them on one selector thread: it accepts executors, checks their
 * proof of the application's secret, reads their frames and writes the master's. It never blocks on anything but
 * its sockets: what executors say goes to a {@link Listener}, which must hand it on rather than act on it there;
 * any thread may {@link #send}.
 */
final class ExecutorChannels implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorChannels.class);
  private static final long HANDSHAKE_TIMEOUT_MS = 30_000;
  private static final long SWEEP_MS = 1_000;

  /** What the master does with what executors say; called on the selector thread, so nothing here may block. */
  interface Listener {
    /** Whether a container that proved the secret may connect: empty if so, else why not. */
    Optional<String> admit(String container);

    /** The welcome message's content for an admitted executor. */
    ObjectNode welcome();

    /** An executor asks for {@code count} more jobs. */
    void want(String container, int count);

    /** An executor reports how jobs ended. */
    void done(String container, List<JsonNode> outcomes);

    /** An admitted executor's channel closed. */
    void closed(String container);
  }

  /** One executor's connection: its frame being read, its frames waiting to be written. */
  private final class Connection {
    final SocketChannel socket;
    final long openedMillis = System.currentTimeMillis();
    final String nonce = ChannelSecret.nonce();
    final ByteBuffer header = ByteBuffer.allocate(4);
    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(); // guarded by itself
    ByteBuffer body;
    SelectionKey key;
    volatile String container; // once admitted
    volatile boolean closing; // close once everything queued is written

    Connection(SocketChannel socket) {
      this.socket = socket;
    }

    String name() {
      String c = container;
      if (c != null) {
        return "executor " + c;
      }
      try {
        return "a connection from " + socket.getRemoteAddress();
      } catch (IOException e) {
        return "a connection";
      }
    }
  }

  private final ServerSocketChannel server;
  private final Selector selector;
  private final byte[] secret;
  private final Listener listener;
  private final Map<String, Connection> admitted = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Connection> toWrite = new ConcurrentLinkedQueue<>();
  private final List<Connection> handshaking = new ArrayList<>(); // the selector thread's
  private final Thread thread;
  private volatile boolean open = true;

  ExecutorChannels(String bindHost, byte[] secret, Listener listener) throws IOException {
    this.secret = secret;
    this.listener = listener;
    this.selector = Selector.open();
    this.server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(bindHost, 0));
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      server.close();
      selector.close();
      throw e;
    }
    this.thread = new Thread(this::loop, "executor-channels");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  int port() {
    return server.socket().getLocalPort();
  }

  /** Queues a message to an admitted executor; false if it is not connected. */
  boolean send(String container, ObjectNode message) {
    Connection c = admitted.get(container);
    if (c == null) {
      return false;
    }
    enqueue(c, message);
    return true;
  }

  /** Sends {@code message} and then closes the channel; false if the executor is not connected. */
  boolean sendAndClose(String container, ObjectNode message) {
    Connection c = admitted.get(container);
    if (c == null) {
      return false;
    }
    c.closing = true;
    enqueue(c, message);
    return true;
  }

  /** Queues a message to every admitted executor; returns to how many. */
  int broadcast(ObjectNode message) {
    int sent = 0;
    for (Connection c : admitted.values()) {
      enqueue(c, message);
      sent++;
    }
    return sent;
  }

  private void enqueue(Connection c, ObjectNode message) {
    ByteBuffer frame;
    try {
      frame = Frames.encode(message);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode a " + Messages.type(message) + " message", e);
    }
    synchronized (c.out) {
      c.out.add(frame);
    }
    toWrite.add(c);
    selector.wakeup();
  }

  private void loop() {
    long nextSweep = System.currentTimeMillis() + SWEEP_MS;
    try {
      while (open) {
        selector.select(SWEEP_MS);
        for (SelectionKey key : selector.selectedKeys()) {
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept();
            continue;
          }
          Connection c = (Connection) key.attachment();
          try {
            if (key.isReadable()) {
              read(c);
            }
            if (key.isValid() && key.isWritable()) {
              write(c);
            }
          } catch (IOException e) {
            drop(c, e);
          }
        }
        selector.selectedKeys().clear();
        for (Connection c; (c = toWrite.poll()) != null; ) {
          try {
            write(c);
          } catch (IOException e) {
            drop(c, e);
          }
        }
        long now = System.currentTimeMillis();
        if (now >= nextSweep) {
          nextSweep = now + SWEEP_MS;
          expireHandshakes(now);
        }
      }
    } catch (ClosedSelectorException closed) {
      // closed: the loop ends
    } catch (IOException | RuntimeException e) {
      if (open) {
        LOG.error("the executor channels failed", e);
      }
    }
  }

  private void accept() throws IOException {
    SocketChannel socket = server.accept();
    if (socket == null) {
      return;
    }
    socket.configureBlocking(false);
    socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
    Connection c = new Connection(socket);
    c.key = socket.register(selector, SelectionKey.OP_READ, c);
    handshaking.add(c);
    enqueue(c, Messages.of(Messages.CHALLENGE).put("nonce", c.nonce));
  }

  /** Reads what has arrived: every whole frame is handled in turn. */
  private void read(Connection c) throws IOException {
    while (true) {
      if (c.body == null) {
        if (c.socket.read(c.header) < 0) {
          throw new java.io.EOFException("closed by the peer");
        }
        if (c.header.hasRemaining()) {
          return;
        }
        int length = c.header.getInt(0);
        int max = c.container == null ? Frames.MAX_HANDSHAKE_FRAME_BYTES : Frames.MAX_FRAME_BYTES;
        if (length < 0 || length > max) {
          throw new IOException("frame of " + length + " bytes is out of bounds (at most " + max + ")");
        }
        c.body = ByteBuffer.allocate(length);
      }
      if (c.socket.read(c.body) < 0) {
        throw new java.io.EOFException("closed by the peer");
      }
      if (c.body.hasRemaining()) {
        return;
      }
      ObjectNode message = Frames.decode(c.body.array());
      c.header.clear();
      c.body = null;
      handle(c, message);
      if (!c.socket.isOpen()) {
        return;
      }
    }
  }

  private void handle(Connection c, ObjectNode message) throws IOException {
    String type = Messages.type(message);
    if (c.container == null) {
      handshake(c, message);
      return;
    }
    if (Messages.DONE.equals(type)) {
      List<JsonNode> outcomes = new ArrayList<>();
      message.path("outcomes").forEach(outcomes::add);
      listener.done(c.container, outcomes);
      int want = message.path("want").asInt(0);
      if (want > 0) {
        listener.want(c.container, want);
      }
    } else if (Messages.WANT.equals(type)) {
      listener.want(c.container, message.path("count").asInt(0));
    } else {
      throw new IOException("unexpected " + type + " message");
    }
  }

  private void handshake(Connection c, ObjectNode hello) throws IOException {
    String claimed = hello.path("container").asText();
    if (!Messages.HELLO.equals(Messages.type(hello))
        || !ChannelSecret.verify(secret, c.nonce, claimed, hello.path("mac").asText(null))) {
      LOG.warn("refused {}: bad proof of the application secret", c.name());
      refuse(c, "authentication failed");
      return;
    }
    int protocol = hello.path("protocol").asInt(1);
    if (protocol != Messages.PROTOCOL) {
      refuse(c, "executor protocol " + protocol + " is not the master's " + Messages.PROTOCOL
          + " (the executor and its master come from different Spool versions)");
      return;
    }
    Optional<String> refused = listener.admit(claimed);
    if (refused.isPresent()) {
      refuse(c, refused.get());
      return;
    }
    handshaking.remove(c);
    c.container = claimed;
    Connection previous = admitted.put(claimed, c);
    if (previous != null) {
      close(previous);
    }
    enqueue(c, listener.welcome().put(Messages.TYPE, Messages.WELCOME).put("protocol", Messages.PROTOCOL));
  }

  private void refuse(Connection c, String error) {
    handshaking.remove(c);
    c.closing = true;
    enqueue(c, Messages.of(Messages.REFUSED).put("error", error));
  }

  /** Writes what is queued; closes a closing connection once all of it is out. */
  private void write(Connection c) throws IOException {
    if (!c.socket.isOpen()) {
      return;
    }
    synchronized (c.out) {
      while (!c.out.isEmpty()) {
        ByteBuffer frame = c.out.peek();
        c.socket.write(frame);
        if (frame.hasRemaining()) {
          c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          return;
        }
        c.out.poll();
      }
    }
    c.key.interestOps(SelectionKey.OP_READ);
    if (c.closing) {
      close(c);
    }
  }

  private void expireHandshakes(long now) {
    for (Connection c : new ArrayList<>(handshaking)) {
      if (now - c.openedMillis > HANDSHAKE_TIMEOUT_MS) {
        LOG.warn("refused {}: no proof of the application secret within {} s", c.name(), HANDSHAKE_TIMEOUT_MS / 1000);
        close(c);
      }
    }
  }

  private void drop(Connection c, IOException cause) {
    if (c.container == null) {
      LOG.warn("refused {}: {}", c.name(), cause.toString());
    } else if (cause instanceof java.io.EOFException || cause instanceof java.net.SocketException) {
      LOG.info("{} disconnected", c.name());
    } else {
      LOG.warn("channel to {} failed", c.name(), cause);
    }
    close(c);
  }

  private void close(Connection c) {
    handshaking.remove(c);
    c.key.cancel();
    try {
      c.socket.close();
    } catch (IOException e) {
      LOG.debug("closing {} failed", c.name(), e);
    }
    String container = c.container;
    if (container != null && admitted.remove(container, c)) {
      listener.closed(container);
    }
  }

  /** Whether frames wait to be written. */
  private boolean writing() {
    for (Connection c : admitted.values()) {
      synchronized (c.out) {
        if (!c.out.isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Closes every channel, once what was queued (the last stops) is written or a short while has passed. */
  @Override
  public void close() throws IOException {
    long deadline = System.currentTimeMillis() + 2_000;
    while (writing() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    open = false;
    selector.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
    server.close();
  }
}
