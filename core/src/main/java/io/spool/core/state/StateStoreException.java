package io.spool.core.state;

/** ZooKeeper failed to do what was asked (connection loss past the retries, an unexpected error). */
public final class StateStoreException extends RuntimeException {
  public StateStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
