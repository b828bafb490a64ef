package io.spool.client;

/** A function attribute (or another named input) that cannot be used as given; {@link #attribute()} names it. */
public class InvalidAttributeException extends IllegalArgumentException {

  private final String attribute;

  public InvalidAttributeException(String attribute, String message) {
    super(message);
    this.attribute = attribute;
  }

  public InvalidAttributeException(String attribute, String message, Throwable cause) {
    super(message, cause);
    this.attribute = attribute;
  }

  /** The attribute's name, as in a spec ({@code maximumConcurrency}, {@code memory}, …). */
  public String attribute() {
    return attribute;
  }
}
