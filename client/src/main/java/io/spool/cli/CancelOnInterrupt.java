package io.spool.cli;

import io.spool.client.Job;
import io.spool.core.model.JobStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * While a wait runs, a JVM shutdown hook (Ctrl-C) that cancels the jobs waited on that have not ended yet, and says
 * how many it canceled. It is installed for the wait only and removed after it.
 */
final class CancelOnInterrupt implements AutoCloseable {

  private final Supplier<List<Job>> unfinished;
  private final PrintWriter err;
  private final Thread hook;

  private CancelOnInterrupt(Supplier<List<Job>> unfinished, PrintWriter err, boolean install) {
    this.unfinished = unfinished;
    this.err = err;
    this.hook = install ? new Thread(this::cancelUnfinished, "spool-cancel-on-interrupt") : null;
    if (hook != null) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
  }

  /** Installs the hook if {@code enabled}; closing removes it. */
  static CancelOnInterrupt during(boolean enabled, Supplier<List<Job>> unfinished, PrintWriter err) {
    return new CancelOnInterrupt(unfinished, err, enabled);
  }

  /** What the hook does: cancels every unfinished job and returns how many it canceled. */
  int cancelUnfinished() {
    int canceled = 0;
    for (Job job : unfinished.get()) {
      JobStatus after = job.cancel();
      if (after == JobStatus.CANCELED || after == JobStatus.CANCEL) {
        canceled++;
      }
    }
    err.println("spool: interrupted: canceled " + canceled + " unfinished job(s)"
        + " (use --no-cancel-on-interrupt to leave them running)");
    err.flush();
    return canceled;
  }

  @Override
  public void close() {
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: the JVM is going down, nothing to remove
      }
    }
  }
}
