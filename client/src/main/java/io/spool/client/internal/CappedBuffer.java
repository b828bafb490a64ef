package io.spool.client.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/** An in-memory output that keeps at most {@code cap} bytes but counts all that were written. */
final class CappedBuffer extends OutputStream {

  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final long cap;
  private long written;

  CappedBuffer(long cap) {
    this.cap = cap;
  }

  @Override
  public void write(int b) {
    written++;
    if (written <= cap) {
      kept.write(b);
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    long room = Math.max(0, cap - written);
    written += length;
    kept.write(bytes, offset, (int) Math.min(room, length));
  }

  /** How many bytes were written, kept or not. */
  long written() {
    return written;
  }

  /** The bytes written, if they were no more than the cap. */
  byte[] toByteArray() {
    if (written > cap) {
      throw new IllegalStateException(written + " bytes were written, more than the cap of " + cap);
    }
    return kept.toByteArray();
  }
}
