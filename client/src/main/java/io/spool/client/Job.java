package io.spool.client;

import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.AttemptStatistics;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.JobWrite;
import io.spool.core.state.NotFoundException;
import io.spool.core.state.Versioned;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** One call of a function. Its state is read from the cluster on {@link #refresh()} and while waiting. */
public final class Job {

  private static final long MASTER_CHECK_MS = 10_000;
  private static final long FUNCTION_CHECK_MS = 1_000;

  private final Spool spool;
  private final String id;
  private JobRecord record;

  Job(Spool spool, String id, JobRecord record) {
    this.spool = spool;
    this.id = id;
    this.record = record;
  }

  /** The job with this id; {@link NotFoundException} if there is none. */
  public static Job get(Spool spool, String id) {
    return new Job(spool, id, null).refresh();
  }

  public String id() {
    return id;
  }

  public String functionId() {
    return JobId.functionId(id);
  }

  /** Reads the job's current state. */
  public Job refresh() {
    record = spool.store().job(id).orElseThrow(() -> new NotFoundException("no job with id '" + id + "'")).value();
    return this;
  }

  private JobRecord record() {
    if (record == null) {
      refresh();
    }
    return record;
  }

  /** The status as last read (reads it the first time). */
  public JobStatus status() {
    return record().status();
  }

  /** Attempts made so far. */
  public int executionCount() {
    return record().executionCount();
  }

  /** How the last attempt ended: the exception type and message, or why it was stopped. */
  public String errorReason() {
    return record().errorReason();
  }

  public Integer exitCode() {
    return record().exitCode();
  }

  /** Seconds the last attempt ran. */
  public Double runtime() {
    return record().runtime();
  }

  public Instant creationDate() {
    return record().creationDate();
  }

  public Instant lastExecutionDate() {
    return record().lastExecutionDate();
  }

  public Instant lastCompletionDate() {
    return record().lastCompletionDate();
  }

  public List<String> tags() {
    return record().tags();
  }

  public Map<String, String> environment() {
    return record().environment();
  }

  /** Resource use of the last attempt (CPU, memory of its process tree), if it ran. */
  public Optional<AttemptStatistics> statistics() {
    return Optional.ofNullable(record().statistics());
  }

  /**
   * Cancels the job: a PENDING job becomes CANCELED at once; a RUNNING one goes CANCEL → CANCELING → CANCELED as
   * its master kills it, unless it finishes first (then it keeps that status). A job that has ended is left as it is.
   *
   * @return the status after the request (CANCELED, CANCEL, or the status it had ended with)
   */
  public JobStatus cancel() {
    while (true) {
      Versioned<JobRecord> read = read();
      JobRecord job = read.value();
      JobStatus previous = job.status();
      JobStatus next = switch (previous) {
        case PENDING -> JobStatus.CANCELED;
        case RUNNING -> JobStatus.CANCEL;
        default -> null;
      };
      if (next == null) {
        record = job;
        return previous;
      }
      job.transition(next);
      if (next == JobStatus.CANCELED) {
        job.lastCompletionDate(java.time.Instant.now());
      }
      if (spool.store().compareAndSet(new JobWrite(job, read.version(), previous))) {
        record = job;
        return next;
      }
    }
  }

  /**
   * Runs a FAILURE, TIMEOUT or CANCELED job again (its earlier attempts' logs are kept).
   *
   * @throws IllegalStateException if the job is in another status, or its function is disabled
   */
  public Job rerun() {
    if (Function.get(spool, functionId()).rerun(List.of(this)).isEmpty()) {
      throw new IllegalStateException("job " + id + " is " + refresh().status()
          + ": only FAILURE, TIMEOUT and CANCELED jobs can be rerun");
    }
    return refresh();
  }

  /**
   * Deletes the job and its logs (and its result if {@code deleteResult}).
   *
   * @throws IllegalStateException if it is running
   */
  public void delete(boolean deleteResult) {
    while (true) {
      Versioned<JobRecord> read = read();
      JobStatus status = read.value().status();
      if (status == JobStatus.RUNNING || status == JobStatus.CANCEL || status == JobStatus.CANCELING) {
        throw new IllegalStateException("job " + id + " is " + status + ": cancel it or wait for it to end before "
            + "deleting it");
      }
      if (spool.store().deleteJob(id, read.version(), status)) {
        break;
      }
    }
    try {
      String owner = owner();
      spool.blobs().delete(BlobStore.logs(owner, id), true);
      if (deleteResult) {
        spool.blobs().delete(BlobStore.result(owner, id), false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("job " + id + " is deleted but its files could not be: " + e.getMessage(), e);
    }
  }

  private Versioned<JobRecord> read() {
    return spool.store().job(id).orElseThrow(() -> new NotFoundException("no job with id '" + id + "'"));
  }

  /**
   * Waits until the job has ended (SUCCESS, FAILURE, TIMEOUT or CANCELED) and returns that status.
   *
   * @throws TimeoutException if it has not ended within {@code timeout}
   * @throws BuildFailedException if the function's build failed, so the job will never run
   */
  public JobStatus waitForCompletion(Duration timeout) throws TimeoutException, InterruptedException {
    long poll = spool.configuration().getLong(SpoolConfig.WAIT_POLL_MS, SpoolConfig.WAIT_POLL_MS_DEFAULT);
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextFunctionCheck = System.nanoTime() + FUNCTION_CHECK_MS * 1_000_000L;
    long nextMasterCheck = System.nanoTime() + MASTER_CHECK_MS * 1_000_000L;
    while (true) {
      refresh();
      if (record.status().isTerminal()) {
        return record.status();
      }
      long now = System.nanoTime();
      if (record.status() == JobStatus.PENDING && now >= nextFunctionCheck) {
        FunctionRecord f = function();
        if (f.status() == FunctionStatus.BUILD_FAILED) {
          throw new BuildFailedException(f.id(), id, f.statusReason());
        }
        nextFunctionCheck = now + FUNCTION_CHECK_MS * 1_000_000L;
        if (now >= nextMasterCheck) {
          try {
            spool.masters().ensureMaster(f);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          nextMasterCheck = now + MASTER_CHECK_MS * 1_000_000L;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("job " + id + " is still " + record.status() + " after " + timeout.toSeconds() + " s");
      }
      Thread.sleep(Math.min(poll, Math.max(1, left / 1_000_000)));
    }
  }

  private FunctionRecord function() {
    return spool.store().function(functionId())
        .orElseThrow(() -> new NotFoundException("function " + functionId() + " no longer exists")).value();
  }

  /**
   * The job's result: parsed JSON (a {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}),
   * raw {@code byte[]} if the function returned bytes, or null if it returned None.
   *
   * @throws IllegalStateException if the job did not succeed (the message says its status and why)
   */
  public Object result() {
    JobRecord job = refresh().record;
    byte[] bytes = resultBytes();
    if (bytes == null) {
      return null;
    }
    if ("bytes".equals(job.resultKind())) {
      return bytes;
    }
    try {
      return Json.values().readValue(bytes, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the result of job " + id + " is not valid JSON", e);
    }
  }

  /** The stored result as bytes (JSON text for JSON results); null if the function returned None. */
  public byte[] resultBytes() {
    JobRecord job = record();
    if (job.status() != JobStatus.SUCCESS) {
      job = refresh().record;
    }
    if (job.status() != JobStatus.SUCCESS) {
      throw new IllegalStateException("job " + id + " has no result: it is " + job.status()
          + (job.errorReason() == null ? "" : " (" + job.errorReason() + ")"));
    }
    if (job.resultKind() == null) {
      return null;
    }
    try {
      return spool.blobs().read(BlobStore.result(owner(), id))
          .orElseThrow(() -> new IllegalStateException("the result blob of job " + id + " is missing"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the result of job " + id, e);
    }
  }

  /** The log (stdout and stderr) of the latest attempt; empty if it has not run. */
  public String log() {
    int attempt = refresh().record.executionCount();
    return attempt == 0 ? "" : log(attempt);
  }

  /** The log of one attempt (1-based); empty if there is none. */
  public String log(int attempt) {
    try {
      return spool.blobs().read(BlobStore.log(owner(), id, attempt))
          .map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of job " + id, e);
    }
  }

  private String owner() {
    return function().owner();
  }

  @Override
  public String toString() {
    return "Job " + id + (record == null ? "" : " " + record.status());
  }
}
