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
 * @param resultKind how the result is stored, null for none
 * @param statistics resource use of the attempt, null if it never started
 */
record Outcome(String jobId, JobStatus status, Integer exitCode, String errorReason, double runtime, String resultKind,
    AttemptStatistics statistics) {}
