package io.spool.core.state;

import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;

/**
 * A compare-and-set write of a job record: it succeeds only if the znode still has {@code expectedVersion}.
 *
 * @param record the new record
 * @param expectedVersion the version it was read at
 * @param previous the status it was read with (the job statistics move from it to the record's status)
 */
public record JobWrite(JobRecord record, int expectedVersion, JobStatus previous) {}
