package io.spool.core.state;

/** A function or job id that does not exist. */
public final class NotFoundException extends RuntimeException {
  public NotFoundException(String message) {
    super(message);
  }
}
