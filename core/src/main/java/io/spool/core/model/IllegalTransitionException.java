package io.spool.core.model;

import java.util.Set;

/** A status change that the status table forbids. */
public final class IllegalTransitionException extends IllegalStateException {

  private final Enum<?> from;
  private final Enum<?> to;

  public IllegalTransitionException(String what, Enum<?> from, Enum<?> to, Set<? extends Enum<?>> allowed) {
    super(what + " is " + from + " and cannot become " + to
        + (allowed.isEmpty() ? " (" + from + " is final)" : " (from " + from + " it can become " + allowed + ")"));
    this.from = from;
    this.to = to;
  }

  public Enum<?> from() {
    return from;
  }

  public Enum<?> to() {
    return to;
  }
}
