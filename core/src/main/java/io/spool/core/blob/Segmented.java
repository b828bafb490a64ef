package io.spool.core.blob;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;

/**
 * A store whose puts go to segments of its own (an executor's), which it keeps open until closed: flushing makes
 * everything put so far readable and durable.
 *
 * @param <S> the store: a {@link ResultStore} or a {@link LogStore}
 */
public final class Segmented<S> implements Flushable, Closeable {

  private final S store;
  private final Segment.Writer segments;

  Segmented(S store, Segment.Writer segments) {
    this.store = store;
    this.segments = segments;
  }

  /** The store whose puts go to these segments. */
  public S store() {
    return store;
  }

  @Override
  public void flush() throws IOException {
    segments.flush();
  }

  @Override
  public void close() throws IOException {
    segments.close();
  }
}
