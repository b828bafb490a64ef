package io.spool.core.state;

import io.spool.core.model.JobStatus;

/**
 * A compare-and-set deletion of a job record: it succeeds only if the znode still has {@code expectedVersion}.
 *
 * @param jobId the job
 * @param expectedVersion the version it was read at
 * @param status the status it was read with (it moves out of the job statistics)
 */
public record JobDeletion(String jobId, int expectedVersion, JobStatus status) {}
