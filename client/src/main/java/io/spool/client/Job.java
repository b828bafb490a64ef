package io.spool.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
  private String owner;

  Job(Spool spool, String id, JobRecord record) {
    this.spool = spool;
    this.id = id;
    this.record = record;
  }

  /** The job with this id; {@link NotFoundException} if there is none. */
  public static Job get(Spool spool, String id) {
    return new Job(spool, id, null).refresh();
  }

  /** A search over the jobs of every function; narrow it with {@link JobSearch#functionId(String, String...)}. */
  public static JobSearch search(Spool spool) {
    return new JobSearch(spool);
  }

  Spool spool() {
    return spool;
  }

  /** Reads the job's current state and watches it: {@code onChange} runs once when it next changes. */
  JobRecord watch(Runnable onChange) {
    record = spool.store().job(id, onChange)
        .orElseThrow(() -> new NotFoundException("no job with id '" + id + "'")).value();
    return record;
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

  JobRecord record() {
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

  /** How the result of the successful attempt is stored ({@code json} or {@code bytes}); empty if there is none. */
  public Optional<String> resultKind() {
    return Optional.ofNullable(record().resultKind());
  }

  /** The job's positional arguments, as submitted (a JSON array; read from the file system if they were large). */
  public JsonNode args() {
    return arguments("args", JsonNodeFactory.instance.arrayNode());
  }

  /** The job's keyword arguments, as submitted (a JSON object, empty if none). */
  public JsonNode kwargs() {
    return arguments("kwargs", JsonNodeFactory.instance.objectNode());
  }

  private JsonNode arguments(String which,
      JsonNode none) {
    JobRecord job = record();
    JsonNode value;
    if (job.argsFile() != null) {
      try {
        byte[] both = spool.blobs().read(job.argsFile()).orElseThrow(() -> new IllegalStateException(
            "the arguments of job " + id + " are missing from " + job.argsFile()));
        value = Json.tree(both).get(which);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the arguments of job " + id, e);
      }
    } else {
      value = "args".equals(which) ? job.args() : job.kwargs();
    }
    return value == null || value.isNull() ? none : value;
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
    deleteRecord();
    try {
      String owner = owner();
      spool.logs().delete(owner, id);
      if (deleteResult) {
        spool.results().delete(owner, id);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("job " + id + " is deleted but its files could not be: " + e.getMessage(), e);
    }
  }

  /** Deletes the job's record, not its files; refused while it runs. */
  void deleteRecord() {
    while (true) {
      Versioned<JobRecord> read = read();
      JobStatus status = read.value().status();
      if (status == JobStatus.RUNNING || status == JobStatus.CANCEL || status == JobStatus.CANCELING) {
        throw new IllegalStateException("job " + id + " is " + status + ": cancel it or wait for it to end before "
            + "deleting it");
      }
      if (spool.store().deleteJob(id, read.version(), status)) {
        return;
      }
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
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextFunctionCheck = System.nanoTime();
    long nextMasterCheck = System.nanoTime() + MASTER_CHECK_MS * 1_000_000L;
    java.util.concurrent.Semaphore changed = new java.util.concurrent.Semaphore(0);
    Runnable signal = changed::release;
    while (true) {
      changed.drainPermits();
      watch(signal);
      if (record.status().isTerminal()) {
        return record.status();
      }
      long now = System.nanoTime();
      // a running job needs a master too: one killed through YARN leaves its jobs RUNNING until the next one
      // recovers them
      if (now - nextFunctionCheck >= 0) {
        FunctionRecord f = function();
        if (record.status() == JobStatus.PENDING && f.status() == FunctionStatus.BUILD_FAILED) {
          throw new BuildFailedException(f.id(), "job " + id, f.statusReason());
        }
        nextFunctionCheck = now + FUNCTION_CHECK_MS * 1_000_000L;
        if (now - nextMasterCheck >= 0) {
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
      changed.tryAcquire(Math.min(FUNCTION_CHECK_MS, Math.max(1, left / 1_000_000)),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  private FunctionRecord function() {
    return spool.store().function(functionId())
        .orElseThrow(() -> new NotFoundException("function " + functionId() + " no longer exists")).value();
  }

  /**
   * The job's result: parsed JSON (a {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}),
   * raw {@code byte[]} if the function returned bytes or a {@code serialize()} result, or null if it returned None.
   *
   * @throws IllegalStateException if the job did not succeed (the message says its status and why)
   */
  public Object result() {
    byte[] bytes = resultBytes();
    return bytes == null ? null : ResultValues.decode(bytes, record.resultKind(), "the result of job " + id);
  }

  /**
   * The job's result as {@code type}: Jackson maps a JSON result onto it; a binary result (from a Python
   * {@code serialize()}) goes through the deserializer registered with {@link Spool#registerDeserializer}, or the
   * type's own public static {@code deserialize(byte[])}; {@code byte[].class} gives the bytes. Null if the job
   * returned None.
   *
   * @throws IllegalStateException if the job did not succeed
   * @throws IllegalArgumentException if the result cannot become {@code type}
   */
  public <T> T result(Class<T> type) {
    byte[] bytes = resultBytes();
    if (bytes == null) {
      return null;
    }
    String serializer = ResultValues.BYTES.equals(record.resultKind()) ? resultBlob().flatMap(Blob::serializer).orElse(null) : null;
    return ResultValues.decode(spool, bytes, record.resultKind(), serializer, type, "the result of job " + id);
  }

  /** The stored result as bytes (JSON text for JSON results); null if the function returned None. */
  public byte[] resultBytes() {
    JobRecord job = succeeded();
    if (job.resultKind() == null) {
      return null;
    }
    try {
      return spool.results().get(owner(), id, job.resultLocation())
          .orElseThrow(() -> new IllegalStateException("the result blob of job " + id + " is missing (deleted?)"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the result of job " + id, e);
    }
  }

  /**
   * The job's result blob, with its metadata (tags, description, extra properties, geometry of a
   * {@code ComputeResult}); empty if the job returned None.
   *
   * @throws IllegalStateException if the job did not succeed
   */
  public Optional<Blob> resultBlob() {
    JobRecord job = succeeded();
    if (job.resultKind() == null) {
      return Optional.empty();
    }
    return Optional.of(Blob.get(spool, owner(), functionId() + "/" + id, job.resultLocation()));
  }

  /** The record, read again unless it says SUCCESS; throws unless the job succeeded. */
  private JobRecord succeeded() {
    JobRecord job = record();
    if (job.status() != JobStatus.SUCCESS) {
      job = refresh().record;
    }
    if (job.status() != JobStatus.SUCCESS) {
      throw new IllegalStateException("job " + id + " has no result: it is " + job.status()
          + (job.errorReason() == null ? "" : " (" + job.errorReason() + ")"));
    }
    return job;
  }

  /** The log (stdout and stderr) of the latest attempt, each line with its UTC time; empty if it has not run. */
  public String log() {
    return log(true);
  }

  /** The log of the latest attempt, with or without the time at the start of each line. */
  public String log(boolean timestamps) {
    int attempt = refresh().record.executionCount();
    return attempt == 0 ? "" : log(attempt, timestamps);
  }

  /** The log of one attempt (1-based), with timestamps; empty if there is none (or it was purged). */
  public String log(int attempt) {
    return log(attempt, true);
  }

  /** The log of one attempt (1-based); empty if there is none (or it was purged after its retention). */
  public String log(int attempt, boolean timestamps) {
    try {
      String location = record().logLocation(attempt);
      if (location == null && attempt <= record().executionCount()) {
        location = refresh().record.logLocation(attempt); // the attempt may have ended since the record was read
      }
      return spool.logs().get(owner(), id, attempt, location)
          .map(b -> LogText.format(new String(b, StandardCharsets.UTF_8), timestamps)).orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of job " + id, e);
    }
  }

  /**
   * The lines of the job's log as they are written, attempt after attempt, ending when the job has ended: a running
   * job's log is copied to the cluster every few seconds ({@code spool.log.flush-interval-ms}). Blocks while the job
   * runs and prints nothing.
   */
  public java.util.stream.Stream<String> followLog(boolean timestamps) {
    LogFollower follower = new LogFollower(this, owner(), timestamps);
    return java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(follower,
        java.util.Spliterator.ORDERED | java.util.Spliterator.NONNULL), false);
  }

  /** The user the job belongs to (its function's owner). */
  public String owner() {
    if (owner == null) {
      owner = function().owner();
    }
    return owner;
  }

  /** The owner, when the caller knows it already (every job of a function has its function's owner). */
  Job owner(String functionOwner) {
    this.owner = functionOwner;
    return this;
  }

  @Override
  public String toString() {
    return "Job " + id + (record == null ? "" : " " + record.status());
  }
}
