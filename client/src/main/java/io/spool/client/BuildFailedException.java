package io.spool.client;

/** Waiting on a job whose function failed to build: the job will never run. The build log says why. */
public final class BuildFailedException extends IllegalStateException {

  private final String functionId;

  BuildFailedException(String functionId, String jobId, String reason) {
    super("job " + jobId + " will never run: the build of function " + functionId + " failed: " + reason
        + "; read the build log with Function.buildLog() or 'spool function build-log " + functionId + "'");
    this.functionId = functionId;
  }

  public String functionId() {
    return functionId;
  }
}
