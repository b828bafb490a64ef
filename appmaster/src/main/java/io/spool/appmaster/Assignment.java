package io.spool.appmaster;

import io.spool.core.model.JobRecord;

/**
 * A job handed to an executor: the record as written RUNNING and its znode version.
 *
 * @param record the job, RUNNING
 * @param version its znode version after the RUNNING write
 */
record Assignment(JobRecord record, int version) {}
