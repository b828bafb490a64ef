package io.spool.appmaster;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.JobWrite;
import io.spool.core.state.StateStore;
import io.spool.core.state.Submission;
import io.spool.core.state.Versioned;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function's job queue and the state transitions of its jobs. It learns of work from the submission log (one
 * entry per batch), keeps only job numbers in memory, reads a job's record when it hands the job out, and writes
 * RUNNING and the terminal statuses through the {@link StateWriter}. A submission-log entry is deleted once every
 * job in it has ended, so a new master attempt recovers from what is left.
 */
final class Scheduler {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  private static final long WRITE_TIMEOUT_S = 60;

  /** A submission-log entry and how many of its jobs have yet to end. */
  private static final class Entry {
    final Submission submission;
    int remaining;

    Entry(Submission submission) {
      this.submission = submission;
      this.remaining = submission.count();
    }
  }

  private record Running(Assignment assignment, Entry entry, long startedMillis) {}

  /** A job waiting to be handed out, with the submission-log entry it counts against. */
  private record Queued(long number, Entry entry) {}

  private final String functionId;
  private final StateStore store;
  private final StateWriter writer;
  private final Supplier<FunctionRecord> function;
  private final Clock clock;
  private final Runnable onWork;
  private final java.util.function.IntSupplier permitted;

  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Running> running = new HashMap<>();
  /** Executors whose channel closed while they ran a job, by when; their container's end decides whose fault. */
  private final Map<String, Long> disconnected = new HashMap<>();
  private int dispatching;
  private boolean paused;
  private boolean stopped;
  private long lastActive;

  /**
   * @param permitted how many jobs may run at once (the owner's share of running jobs); jobs wait beyond it
   */
  Scheduler(String functionId, StateStore store, StateWriter writer, Supplier<FunctionRecord> function, Clock clock,
      Runnable onWork, java.util.function.IntSupplier permitted) {
    this.functionId = functionId;
    this.store = store;
    this.writer = writer;
    this.function = function;
    this.clock = clock;
    this.onWork = onWork;
    this.permitted = permitted;
    this.lastActive = clock.millis();
  }

  /** Adds the jobs of a submission-log entry (once; later calls for the same entry are ignored). */
  void addSubmission(Submission submission) {
    synchronized (this) {
      if (!seen.add(submission.name())) {
        return;
      }
      Entry entry = new Entry(submission);
      if (submission.isRerun()) {
        submission.numbers().forEach(n -> queue.addLast(new Queued(n, entry)));
      } else {
        for (long n = submission.first(); n < submission.end(); n++) {
          queue.addLast(new Queued(n, entry));
        }
      }
      lastActive = clock.millis();
      notifyAll();
    }
    onWork.run();
  }

  /** Names of the submission-log entries this scheduler knows. */
  synchronized Set<String> knownSubmissions() {
    return new HashSet<>(seen);
  }

  /** Jobs waiting to be handed out. */
  synchronized int queued() {
    return queue.size() + dispatching;
  }

  /** Jobs handed to executors and not yet ended. */
  synchronized int running() {
    return running.size();
  }

  /**
   * Whether there has been nothing to do for at least {@code millis}: no job running or being handed out, and no
   * queued job that could be handed out (jobs of a function that is not READY wait for its start, not for this
   * master).
   */
  synchronized boolean idleFor(long millis) {
    return !busy(runnable()) && clock.millis() - lastActive >= millis;
  }

  /** Whether a job runs or is being handed out, or, if {@code runnable}, one is queued. */
  synchronized boolean busy(boolean runnable) {
    return !running.isEmpty() || dispatching > 0 || runnable && !queue.isEmpty();
  }

  /** Stops handing out jobs (ZooKeeper connection suspended) or starts again. */
  synchronized void setPaused(boolean paused) {
    this.paused = paused;
    notifyAll();
  }

  /** Wakes every waiting executor; from now on {@link #next} returns null. */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  /** Wakes waiters to re-check the function's status (it may have become READY) and how many jobs may run. */
  synchronized void functionChanged() {
    notifyAll();
  }

  /**
   * The next job for {@code executor}, written RUNNING; waits at most {@code waitMs} for one, then returns empty
   * (the executor is then released as idle). Also empty as soon as {@code retire} says the executor should stop
   * (checked again whenever the function changes).
   */
  Optional<Assignment> next(String executor, long waitMs, BooleanSupplier retire) throws InterruptedException {
    long deadline = clock.millis() + waitMs;
    while (true) {
      Queued queued;
      synchronized (this) {
        while (!stopped && !retire.getAsBoolean() && (paused || queue.isEmpty() || !runnable()
            || running.size() + dispatching >= permitted.getAsInt())) {
          long left = deadline - clock.millis();
          if (left <= 0) {
            return Optional.empty();
          }
          wait(left);
        }
        if (stopped || retire.getAsBoolean()) {
          return Optional.empty();
        }
        queued = queue.pollFirst();
        dispatching++;
      }
      Entry entry = queued.entry();
      Optional<Assignment> assignment = Optional.empty();
      boolean started = false;
      try {
        assignment = start(JobId.of(functionId, queued.number()), entry);
        started = true;
      } finally {
        synchronized (this) {
          dispatching--;
          lastActive = clock.millis();
          long now = clock.millis();
          assignment.ifPresent(a -> running.put(executor, new Running(a, entry, now)));
          if (!started) {
            queue.addFirst(queued);
          }
        }
      }
      if (assignment.isPresent()) {
        return assignment;
      }
    }
  }

  private boolean runnable() {
    FunctionRecord f = function.get();
    return f != null && f.status() == FunctionStatus.READY;
  }

  /** Writes the job RUNNING if it should run; empty if it has ended or was removed meanwhile. */
  private Optional<Assignment> start(String jobId, Entry entry) throws InterruptedException {
    while (true) {
      Optional<Versioned<JobRecord>> read = store.job(jobId);
      if (read.isEmpty()) {
        finishOne(entry);
        return Optional.empty();
      }
      JobRecord job = read.get().value();
      JobStatus previous = job.status();
      switch (previous) {
        case SUCCESS, FAILURE, TIMEOUT, CANCELED -> {
          finishOne(entry);
          return Optional.empty();
        }
        case CANCEL, CANCELING -> {
          if (write(new JobWrite(job.transition(JobStatus.CANCELED).lastCompletionDate(clock.instant()),
              read.get().version(), previous))) {
            finishOne(entry);
            return Optional.empty();
          }
          continue;
        }
        case RUNNING -> {
          LOG.info("job {} was running when its master stopped: running it again", jobId);
          job.transition(JobStatus.PENDING);
        }
        default -> { }
      }
      job.transition(JobStatus.RUNNING)
          .executionCount(job.executionCount() + 1)
          .lastExecutionDate(clock.instant());
      if (write(new JobWrite(job, read.get().version(), previous))) {
        return Optional.of(new Assignment(job, read.get().version() + 1));
      }
    }
  }

  /**
   * Records how an executor's attempt ended; retries a failure while the function's retryCount allows. If the
   * outcome cannot be written, the job goes back to the queue (it is still RUNNING in ZooKeeper and runs again).
   */
  void complete(String executor, Outcome outcome) throws InterruptedException {
    Running r;
    synchronized (this) {
      disconnected.remove(executor);
      r = running.get(executor);
      if (r == null || !r.assignment().record().id().equals(outcome.jobId())) {
        LOG.warn("executor {} reported job {} that it was not running", executor, outcome.jobId());
        return;
      }
      running.remove(executor);
      lastActive = clock.millis();
    }
    try {
      record(r, outcome);
    } catch (RuntimeException | InterruptedException e) {
      synchronized (this) {
        queue.addFirst(new Queued(JobId.number(outcome.jobId()), r.entry()));
      }
      throw e;
    }
  }

  /** Writes the outcome (again on a race with a client's change of the job); re-queues a retry. */
  private void record(Running r, Outcome outcome) throws InterruptedException {
    JobRecord job = r.assignment().record();
    int version = r.assignment().version();
    while (true) {
      JobStatus previous = job.status();
      boolean retry = end(job, outcome);
      if (write(new JobWrite(job, version, previous))) {
        if (retry) {
          synchronized (this) {
            queue.addLast(new Queued(JobId.number(job.id()), r.entry()));
            notifyAll();
          }
          onWork.run();
        } else {
          finishOne(r.entry());
        }
        return;
      }
      Optional<Versioned<JobRecord>> reread = store.job(outcome.jobId());
      if (reread.isEmpty()) {
        finishOne(r.entry());
        return;
      }
      job = reread.get().value();
      version = reread.get().version();
      if (job.status().isTerminal()) {
        finishOne(r.entry());
        return;
      }
    }
  }

  /** Applies the outcome to the record; true if the job goes back to the queue for a retry. */
  private boolean end(JobRecord job, Outcome outcome) {
    job.exitCode(outcome.exitCode()).runtime(outcome.runtime()).errorReason(outcome.errorReason())
        .statistics(outcome.statistics()).lastCompletionDate(clock.instant())
        .logLocation(job.executionCount(), outcome.logLocation());
    if (outcome.status() == JobStatus.SUCCESS) {
      job.transition(JobStatus.SUCCESS).resultKind(outcome.resultKind()).resultLocation(outcome.resultLocation());
      return false;
    }
    if (outcome.status() == JobStatus.CANCELED || job.status() == JobStatus.CANCEL
        || job.status() == JobStatus.CANCELING) {
      if (outcome.status() == JobStatus.CANCELED && job.status() == JobStatus.RUNNING) {
        job.transition(JobStatus.CANCEL);
      }
      job.resultKind(null).resultLocation(null).transition(outcome.status());
      return false;
    }
    job.resultKind(null).resultLocation(null).failures(job.failures() + 1);
    FunctionRecord f = function.get();
    boolean retry = job.status() == JobStatus.RUNNING && f != null && job.failures() <= f.retryCount();
    job.transition(retry ? JobStatus.PENDING : outcome.status());
    return retry;
  }

  /**
   * A client asked to cancel {@code jobId}: writes CANCEL → CANCELING if the job runs on an executor here, and
   * returns that executor (which is then told to kill the job); empty if it does not run here (any more).
   */
  Optional<String> cancelRequested(String jobId) throws InterruptedException {
    String executor = null;
    synchronized (this) {
      for (Map.Entry<String, Running> e : running.entrySet()) {
        if (e.getValue().assignment().record().id().equals(jobId)) {
          executor = e.getKey();
        }
      }
    }
    if (executor == null) {
      return Optional.empty();
    }
    Optional<Versioned<JobRecord>> read = store.job(jobId);
    if (read.isEmpty() || read.get().value().status() != JobStatus.CANCEL) {
      return Optional.empty();
    }
    JobRecord job = read.get().value().transition(JobStatus.CANCELING);
    return write(new JobWrite(job, read.get().version(), JobStatus.CANCEL)) ? Optional.of(executor) : Optional.empty();
  }

  /**
   * An executor died of its job's doing (a memory kill by YARN, the runner crashing): the job's attempt failed and
   * is charged like any failure (retried while retryCount allows).
   */
  void executorFailed(String executor, String reason) {
    Running r;
    synchronized (this) {
      r = running.get(executor);
    }
    if (r == null) {
      return;
    }
    try {
      complete(executor, Outcome.without(r.assignment().record().id(), JobStatus.FAILURE, reason));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("recording the failure of job {} failed", r.assignment().record().id(), e);
    }
  }

  /**
   * An executor's channel closed while it ran a job. Its container's exit status, when YARN reports it, decides
   * whether the job is charged ({@link #executorFailed}) or not ({@link #executorLost}); if YARN says nothing within
   * {@link #expireDisconnected}'s time, the job runs again uncharged.
   */
  synchronized void executorDisconnected(String executor) {
    if (running.containsKey(executor)) {
      disconnected.put(executor, clock.millis());
    }
  }

  /** Re-runs (uncharged) the jobs of executors disconnected longer than {@code millis} ago. */
  void expireDisconnected(long millis) {
    List<String> expired = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      disconnected.forEach((executor, since) -> {
        if (now - since >= millis) {
          expired.add(executor);
        }
      });
    }
    expired.forEach(e -> executorLost(e, "its channel closed and YARN did not report its container"));
  }

  /**
   * Executors silent past their job's timeout plus {@code graceMillis} (the runner kills a job at its timeout and
   * reports at once, so one that says nothing for longer is hung or cut off): their jobs run again, uncharged.
   *
   * @return the executors given up on
   */
  List<String> expireOverdue(long graceMillis) {
    FunctionRecord f = function.get();
    if (f == null) {
      return List.of();
    }
    long limit = f.timeout() * 1000L + graceMillis;
    List<String> overdue = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      running.forEach((executor, r) -> {
        if (now - r.startedMillis() > limit) {
          overdue.add(executor);
        }
      });
    }
    overdue.forEach(e -> executorLost(e, "it said nothing past the job's timeout"));
    return overdue;
  }

  /** An executor went away: its job, if any, runs again without being charged a retry. */
  void executorLost(String executor, String reason) {
    Running r;
    synchronized (this) {
      disconnected.remove(executor);
      r = running.remove(executor);
      if (r == null) {
        return;
      }
      LOG.warn("executor {} was lost while running job {} ({}): it will run again", executor,
          r.assignment().record().id(), reason);
      queue.addFirst(new Queued(JobId.number(r.assignment().record().id()), r.entry()));
      notifyAll();
    }
    onWork.run();
  }

  private void finishOne(Entry entry) {
    boolean finished;
    synchronized (this) {
      finished = --entry.remaining == 0;
    }
    if (finished) {
      writer.finishSubmission(entry.submission.name());
    }
  }

  private boolean write(JobWrite write) throws InterruptedException {
    try {
      return writer.write(write).get(WRITE_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write job " + write.record().id(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("ZooKeeper did not take the write of job " + write.record().id() + " in time", e);
    }
  }
}
