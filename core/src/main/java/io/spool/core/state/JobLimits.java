package io.spool.core.state;

import io.spool.core.config.SpoolConfig;
import org.apache.hadoop.conf.Configuration;

/**
 * The limits on outstanding (PENDING or RUNNING) jobs that every submission and rerun stays within: per function and
 * per user across all of the user's functions. A limit of zero or less is no limit.
 */
public record JobLimits(long outstandingPerFunction, long outstandingPerUser) {

  /** No limit at all. */
  public static final JobLimits NONE = new JobLimits(0, 0);

  /** The limits that {@code conf} sets (Spool's defaults where it sets none). */
  public static JobLimits from(Configuration conf) {
    return new JobLimits(
        conf.getLong(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION,
            SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION_DEFAULT),
        conf.getLong(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_USER, SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_USER_DEFAULT));
  }

  boolean perFunction() {
    return outstandingPerFunction > 0;
  }

  boolean perUser() {
    return outstandingPerUser > 0;
  }
}
