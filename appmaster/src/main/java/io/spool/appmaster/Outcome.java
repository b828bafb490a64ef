package io.spool.appmaster;

import io.spool.core.model.AttemptStatistics;
import io.spool.core.model.JobStatus;

/**
 * How an attempt ended, as the executor reported it.
 *
 * @param jobId the job
 * @param status SUCCESS, FAILURE or TIMEOUT
 * @param exitCode the process's exit code, if it ran
 * @param errorReason why it did not succeed
 * @param runtime seconds the attempt ran
 * @param resultKind how the result is encoded, null for none
 * @param statistics resource use of the attempt, null if it never started
 * @param resultLocation where the result store put the result, null for none
 * @param logLocation where the log store put the attempt's final log, null for none
 */
record Outcome(String jobId, JobStatus status, Integer exitCode, String errorReason, double runtime, String resultKind,
    AttemptStatistics statistics, String resultLocation, String logLocation) {

  /** An attempt that ended without a result or a stored log (the executor was lost, or the job never started). */
  static Outcome without(String jobId, JobStatus status, String errorReason) {
    return new Outcome(jobId, status, null, errorReason, 0, null, null, null, null);
  }
}
