package io.spool.client;

/**
 * The function failed to build: its jobs will never run (waiting on them), and it accepts no new ones (submitting or
 * rerunning; nothing was written). The build log says why.
 */
public final class BuildFailedException extends IllegalStateException {

  private final String functionId;

  /** {@code jobs} says which jobs will never run, e.g. "job f-1" or "3 of the jobs waited on". */
  BuildFailedException(String functionId, String jobs, String reason) {
    this(functionId, jobs + " will never run: the build of function " + functionId + " failed: " + reason
        + "; read the build log with Function.buildLog() or 'spool function build-log " + functionId + "'");
  }

  private BuildFailedException(String functionId, String message) {
    super(message);
    this.functionId = functionId;
  }

  /** A submission or rerun refused ({@code notDone}: "nothing was submitted", "no job was rerun"). */
  static BuildFailedException refused(String functionId, String name, String reason, String notDone) {
    return new BuildFailedException(functionId, named(functionId, name) + " failed to build and accepts no jobs: "
        + reason + "; " + notDone + ". " + whatToDo(functionId));
  }

  /** The build that was waited on failed. */
  static BuildFailedException failed(String functionId, String name, String reason) {
    return new BuildFailedException(functionId, named(functionId, name) + " failed to build: " + reason + ". "
        + whatToDo(functionId));
  }

  private static String named(String functionId, String name) {
    return "function " + functionId + (name == null ? "" : " (\"" + name + "\")");
  }

  private static String whatToDo(String functionId) {
    return "Read the build log with Function.buildLog() or 'spool function build-log " + functionId
        + "', fix the function and create it again";
  }

  public String functionId() {
    return functionId;
  }
}
