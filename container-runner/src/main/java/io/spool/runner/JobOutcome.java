package io.spool.runner;

/**
 * How one attempt of a job ended, as the runner reports it to the master.
 *
 * @param status SUCCESS, FAILURE, TIMEOUT or CANCELED
 * @param exitCode the child's exit code (negative: killed by that signal), null if it never ran
 * @param errorReason why it did not succeed, null on success
 * @param runtimeSeconds wall time of the attempt
 * @param resultKind {@code json}, {@code bytes} or null when there is no result
 * @param statistics what the job's process tree used, null if the job never started
 */
record JobOutcome(String status, Integer exitCode, String errorReason, double runtimeSeconds, String resultKind,
    ProcessTreeMonitor.Statistics statistics) {}
