package io.spool.core.state;

/** ZooKeeper refused a read or write because the node belongs to another user (its ACL does not name this one). */
public final class AccessDeniedException extends RuntimeException {
  public AccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
