package io.spool.core.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a function's jobs get their Python process. The entrypoint's module is imported once in the executor's
 * worker either way; the job process is forked from it.
 */
public enum JobProcess {
  /**
   * A process per job, forked ahead of its request: nothing a job does to its module's globals reaches another job.
   * Costs a fork per job (a few milliseconds of CPU, more with a large heap).
   */
  FRESH,
  /**
   * A process runs jobs one after another, as {@code multiprocessing.Pool} does: it keeps what jobs leave in
   * globals. It is replaced after a job that failed, timed out or was canceled, after the function's
   * maxJobsPerProcess jobs, and when its resident memory after a job is above a share of the function's memory.
   */
  REUSED;

  /** The name in records, requests and files: {@code fresh} or {@code reused}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code text} (either case); a clear error listing the modes otherwise. */
  public static JobProcess parse(String text) {
    for (JobProcess mode : values()) {
      if (mode.wire().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException("jobProcess must be one of " + Arrays.stream(values()).map(JobProcess::wire)
        .toList() + ", not '" + text + "'");
  }
}
