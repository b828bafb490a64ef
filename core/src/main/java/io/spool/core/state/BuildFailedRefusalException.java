package io.spool.core.state;

/**
 * A submission or rerun was refused because the function's build failed: none of its jobs could ever run. Nothing of
 * it was written.
 */
public final class BuildFailedRefusalException extends RuntimeException {

  private final String functionId;
  private final String reason;

  BuildFailedRefusalException(String functionId, String reason) {
    super("function " + functionId + " failed to build and accepts no jobs: " + reason);
    this.functionId = functionId;
    this.reason = reason;
  }

  public String functionId() {
    return functionId;
  }

  /** Why the build failed, as the function's status reason says. */
  public String reason() {
    return reason;
  }
}
