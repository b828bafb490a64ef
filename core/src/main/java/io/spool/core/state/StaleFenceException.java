package io.spool.core.state;

/** A master's write was refused because a newer master attempt holds the function. */
public final class StaleFenceException extends Exception {
  public StaleFenceException(Fence fence) {
    super("master epoch " + fence.epoch() + " of function " + fence.functionId() + " has been superseded");
  }
}
