package io.spool.core.model;

import static io.spool.core.model.JobStatus.*;

/** The status of a job; SUCCESS, FAILURE, TIMEOUT and CANCELED are terminal. */
public enum JobStatus {
  PENDING,
  RUNNING,
  CANCEL,
  CANCELING,
  SUCCESS,
  FAILURE,
  TIMEOUT,
  CANCELED;

  /** Every legal job transition. */
  public static final StatusTable<JobStatus> TRANSITIONS = StatusTable.builder(JobStatus.class)
      // a platform fault puts a running job back to PENDING; a finished attempt ends it
      .allow(PENDING, RUNNING, CANCELED)
      // a job of a function whose build failed ends without running
      .allow(PENDING, FAILURE)
      .allow(RUNNING, PENDING, SUCCESS, FAILURE, TIMEOUT, CANCEL)
      // a job asked to cancel may still finish first, and keeps that status
      .allow(CANCEL, CANCELING, CANCELED, SUCCESS, FAILURE, TIMEOUT)
      .allow(CANCELING, CANCELED, SUCCESS, FAILURE, TIMEOUT)
      .allow(FAILURE, PENDING)
      .allow(TIMEOUT, PENDING)
      .allow(CANCELED, PENDING)
      .build();

  /** Whether the job has ended and will not change again unless it is rerun. */
  public boolean isTerminal() {
    return this == SUCCESS || this == FAILURE || this == TIMEOUT || this == CANCELED;
  }
}
