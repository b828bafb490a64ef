package io.spool.core.state;

/**
 * A submission or rerun was refused because it would pass a configured limit; nothing of it was written. The
 * message names the limit, its setting, and what is outstanding now.
 */
public final class LimitExceededException extends RuntimeException {

  private final String setting;
  private final long limit;

  LimitExceededException(String message, String setting, long limit) {
    super(message);
    this.setting = setting;
    this.limit = limit;
  }

  /** The configuration key of the limit, e.g. {@code spool.limit.outstanding-jobs-per-user}. */
  public String setting() {
    return setting;
  }

  /** The limit's value. */
  public long limit() {
    return limit;
  }
}
