package io.spool.core.channel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.json.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The framing of the master–executor channel: each message is a 4-byte big-endian length and that many bytes of
 * JSON object. Messages carry a {@code type} field; the types are the constants of {@link Messages}.
 */
public final class Frames {

  /** Largest frame accepted (job arguments above the inline limit travel by file, so frames stay small). */
  public static final int MAX_FRAME_BYTES = 8 * 1024 * 1024;

  private Frames() {}

  public static void write(DataOutputStream out, ObjectNode message) throws IOException {
    byte[] bytes = Json.values().writeValueAsBytes(message);
    synchronized (out) {
      out.writeInt(bytes.length);
      out.write(bytes);
      out.flush();
    }
  }

  /**
   * Largest frame accepted before the peer has proved the application's secret: a stranger's bytes never make the
   * master set aside more than this.
   */
  public static final int MAX_HANDSHAKE_FRAME_BYTES = 4 * 1024;

  /** A message as one frame (its length, then its bytes), ready to be written. */
  public static java.nio.ByteBuffer encode(ObjectNode message) throws IOException {
    byte[] bytes = Json.values().writeValueAsBytes(message);
    java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(4 + bytes.length);
    frame.putInt(bytes.length).put(bytes).flip();
    return frame;
  }

  /** The message of a frame's bytes (without its length). */
  public static ObjectNode decode(byte[] bytes) throws IOException {
    var node = Json.values().readTree(bytes);
    if (!(node instanceof ObjectNode) || !node.hasNonNull(Messages.TYPE)) {
      throw new IOException("frame is not a message object with a type");
    }
    return (ObjectNode) node;
  }

  /** The next message; {@link EOFException} when the peer closed the channel. */
  public static ObjectNode read(DataInputStream in) throws IOException {
    return read(in, MAX_FRAME_BYTES);
  }

  /** The next message of at most {@code maxBytes}; {@link EOFException} when the peer closed the channel. */
  public static ObjectNode read(DataInputStream in, int maxBytes) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > maxBytes) {
      throw new IOException("frame of " + length + " bytes is out of bounds (at most " + maxBytes + ")");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return decode(bytes);
  }
}
