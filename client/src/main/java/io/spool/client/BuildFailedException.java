package io.spool.client;

/** Waiting on a job whose function failed to build: the job will never run. The build log says why. */
public final class BuildFailedException extends IllegalStateException {

  private final String functionId;

  /** {@code jobs} says which jobs will never run, e.g. "job f-1" or "3 of the jobs waited on". */
  BuildFailedException(String functionId, String jobs, String reason) {
    super(jobs + " will never run: the build of function " + functionId + " failed: " + reason
        + "; read the build log with Function.buildLog() or 'spool function build-log " + functionId + "'");
    this.functionId = functionId;
  }

  public String functionId() {
    return functionId;
  }
}
