package io.spool.core.state;

import io.spool.core.model.JobRecord;

/**
 * A compare-and-set write of a job record: it succeeds only if the znode still has {@code expectedVersion}.
 *
 * @param record the new record
 * @param expectedVersion the version it was read at
 */
public record JobWrite(JobRecord record, int expectedVersion) {}
