package io.spool.client;

import java.util.List;

/** Some batches of a submission went in and a later one failed: the jobs that went in are kept and listed. */
public final class PartialSubmissionException extends RuntimeException {

  private final List<Job> submitted;

  PartialSubmissionException(List<Job> submitted, int requested, RuntimeException cause) {
    super(submitted.size() + " of " + requested + " jobs were submitted before a batch failed: " + cause.getMessage()
        + " (the submitted ones will run; submit the rest again)", cause);
    this.submitted = List.copyOf(submitted);
  }

  /** The jobs that went in. */
  public List<Job> submitted() {
    return submitted;
  }
}
