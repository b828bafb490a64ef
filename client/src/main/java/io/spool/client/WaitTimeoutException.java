package io.spool.client;

import java.util.List;

/**
 * Waiting on jobs through an iterator (such as {@link Function#asCompleted}) took longer than its timeout. The jobs
 * go on running; {@link #unfinished()} names those that had not ended.
 */
public final class WaitTimeoutException extends RuntimeException {

  private final transient List<Job> unfinished;

  WaitTimeoutException(String message, List<Job> unfinished) {
    super(message);
    this.unfinished = unfinished;
  }

  /** The jobs that had not ended when the wait timed out. */
  public List<Job> unfinished() {
    return unfinished;
  }
}
