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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function's job queue and the state transitions of its jobs. It learns of work from the submission log (one
 * entry per batch), keeps only job numbers in memory, and hands jobs to executors in batches: it reads their records
 * together and writes them RUNNING in one group commit ({@link StateWriter}), and writes the outcomes an executor
 * reports the same way. An executor holds the jobs handed to it in order and runs them one at a time: the first is
 * the one it runs (or is about to), the others wait on it. A submission-log entry is deleted once every job in it
 * has ended, so a new master attempt recovers from what is left.
 *
 * <p>Thread-safe; the state writes happen outside its lock.
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

  /** A job waiting to be handed out, with the submission-log entry it counts against. */
  private record Queued(long number, Entry entry) {}

  /** A job handed to an executor, as written RUNNING. */
  private record Held(Assignment assignment, Entry entry) {
    String jobId() {
      return assignment.record().id();
    }
  }

  /** An executor's jobs, in the order it runs them, and when it last made progress. */
  private static final class Executor {
    final ArrayDeque<Held> jobs = new ArrayDeque<>();
    long progressMillis;
    Long disconnectedMillis; // its channel closed while it held jobs; its container's end decides whose fault
  }

  /** How an executor's attempt ended, as it reported it. */
  record Reported(String executor, Outcome outcome) {}

  /** Jobs read and ended together when they cannot run. */
  private static final int FAIL_BATCH = 500;

  private final String functionId;
  private final StateStore store;
  private final StateWriter writer;
  private final Supplier<FunctionRecord> function;
  private final Clock clock;
  private final Runnable onWork;
  private final IntSupplier permitted;

  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Executor> executors = new HashMap<>();
  private int inFlight; // jobs taken from the queue and not yet held by an executor or put back
  private final Set<Long> dispatching = new HashSet<>(); // the numbers of those jobs
  private int starting; // executors holding no job that are being handed their first ones
  private boolean paused;
  private boolean stopped;
  private long lastActive;

  /**
   * @param onWork told when jobs are queued (new submissions, retries, jobs of lost executors)
   * @param permitted how many executors may run jobs at once (the owner's share of running jobs); jobs wait beyond it
   */
  Scheduler(String functionId, StateStore store, StateWriter writer, Supplier<FunctionRecord> function, Clock clock,
      Runnable onWork, IntSupplier permitted) {
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
    }
    onWork.run();
  }

  /** Names of the submission-log entries this scheduler knows. */
  synchronized Set<String> knownSubmissions() {
    return new HashSet<>(seen);
  }

  /** Jobs waiting to be handed out. */
  synchronized int queued() {
    return queue.size() + inFlight;
  }

  /** Executors that hold jobs: as many jobs run at most. */
  synchronized int running() {
    return busyExecutors();
  }

  /** How many jobs {@code executor} holds. */
  synchronized int held(String executor) {
    Executor e = executors.get(executor);
    return e == null ? 0 : e.jobs.size();
  }

  private int busyExecutors() {
    int busy = 0;
    for (Executor e : executors.values()) {
      if (!e.jobs.isEmpty()) {
        busy++;
      }
    }
    return busy;
  }

  /**
   * Whether there has been nothing to do for at least {@code millis}: no job held or being handed out, and no
   * queued job that could be handed out (jobs of a function that is not READY wait for its start, not for this
   * master).
   */
  synchronized boolean idleFor(long millis) {
    return !busy(runnable()) && clock.millis() - lastActive >= millis;
  }

  /** Whether a job is held or being handed out, or, if {@code runnable}, one is queued. */
  synchronized boolean busy(boolean runnable) {
    return busyExecutors() > 0 || inFlight > 0 || runnable && !queue.isEmpty();
  }

  /** Whether jobs could be handed out now: some are queued, the function is READY and nothing holds them back. */
  synchronized boolean hasWork() {
    return !stopped && !paused && !queue.isEmpty() && runnable();
  }

  /** Stops handing out jobs (ZooKeeper connection suspended) or starts again. */
  synchronized void setPaused(boolean paused) {
    this.paused = paused;
  }

  /** From now on {@link #dispatch} hands out nothing. */
  synchronized void stop() {
    stopped = true;
  }

  private boolean runnable() {
    FunctionRecord f = function.get();
    return f != null && f.status() == FunctionStatus.READY;
  }

  /**
   * Hands up to {@code max} queued jobs to {@code executor}: reads them, writes them RUNNING together and returns
   * them in the order the executor should run them. Empty if nothing can be handed out now (no job queued, the
   * function not READY, paused, or more executors would run jobs than permitted). Jobs that have ended or were
   * removed meanwhile are skipped, and the next ones taken in their place: a master that recovers a run finds the
   * jobs its predecessor ended at the head of the queue.
   */
  List<Assignment> dispatch(String executor, int max) throws InterruptedException {
    while (true) {
      Attempt attempt = dispatchOnce(executor, max);
      if (!attempt.assignments().isEmpty() || attempt.taken() == 0) {
        return attempt.assignments();
      }
    }
  }

  /** What one turn of {@link #dispatch} took from the queue and handed out. */
  private record Attempt(List<Assignment> assignments, int taken) {}

  private Attempt dispatchOnce(String executor, int max) throws InterruptedException {
    List<Queued> taken = new ArrayList<>();
    boolean first;
    synchronized (this) {
      if (stopped || paused || max < 1 || queue.isEmpty() || !runnable()) {
        return new Attempt(List.of(), 0);
      }
      Executor e = executors.computeIfAbsent(executor, x -> new Executor());
      first = e.jobs.isEmpty();
      int running = busyExecutors() + starting;
      // an idle executor starts only below the limit; a running one gets more only while no more run than it
      // allows (it drains when the limit has fallen, e.g. another function of the owner took its share)
      if (first ? running >= permitted.getAsInt() : running > permitted.getAsInt()) {
        return new Attempt(List.of(), 0);
      }
      while (taken.size() < max && !queue.isEmpty()) {
        taken.add(queue.pollFirst());
      }
      inFlight += taken.size();
      taken.forEach(q -> dispatching.add(q.number()));
      if (first) {
        starting++;
      }
    }
    List<Held> started = List.of();
    boolean placed = false;
    try {
      started = start(taken);
      placed = true;
    } finally {
      synchronized (this) {
        inFlight -= taken.size();
        taken.forEach(q -> dispatching.remove(q.number()));
        notifyAll();
        if (first) {
          starting--;
        }
        long now = clock.millis();
        lastActive = now;
        Executor e = executors.computeIfAbsent(executor, x -> new Executor());
        if (e.jobs.isEmpty()) {
          e.progressMillis = now;
        }
        e.jobs.addAll(started);
        if (!placed) { // the jobs go back, in order
          for (int i = taken.size() - 1; i >= 0; i--) {
            queue.addFirst(taken.get(i));
          }
        }
      }
    }
    return new Attempt(started.stream().map(Held::assignment).toList(), taken.size());
  }

  /**
   * Writes the jobs RUNNING that should run, together; those that ended or were removed meanwhile are finished, and
   * a job whose write raced a client's change is read and tried again on its own.
   */
  private List<Held> start(List<Queued> taken) throws InterruptedException {
    Map<String, Queued> byId = new LinkedHashMap<>();
    taken.forEach(q -> byId.put(JobId.of(functionId, q.number()), q));
    Map<String, Versioned<JobRecord>> read = store.jobs(byId.keySet());
    Map<String, PendingWrite> writes = new LinkedHashMap<>();
    for (Map.Entry<String, Queued> e : byId.entrySet()) {
      Versioned<JobRecord> job = read.get(e.getKey());
      if (job == null) { // removed meanwhile
        finishOne(e.getValue().entry());
        continue;
      }
      startWrite(job, e.getValue().entry())
          .ifPresent(write -> writes.put(e.getKey(), new PendingWrite(write, writer.write(write))));
    }
    List<Held> held = new ArrayList<>(writes.size());
    for (Map.Entry<String, PendingWrite> e : writes.entrySet()) {
      Entry entry = byId.get(e.getKey()).entry();
      JobWrite write = e.getValue().write();
      Optional<Assignment> assignment = applied(e.getValue())
          ? Optional.of(new Assignment(write.record(), write.expectedVersion() + 1))
          : startAlone(e.getKey(), entry);
      assignment.ifPresent(a -> held.add(new Held(a, entry)));
    }
    return held;
  }

  private record PendingWrite(JobWrite write, CompletableFuture<Boolean> applied) {}

  /**
   * The RUNNING write of a job as read; empty if it should not run: it has ended (its entry is finished here), or a
   * client asked to cancel it (its CANCELED write is queued here, and finishes its entry once applied).
   */
  private Optional<JobWrite> startWrite(Versioned<JobRecord> read, Entry entry) {
    JobRecord job = read.value();
    JobStatus previous = job.status();
    switch (previous) {
      case SUCCESS, FAILURE, TIMEOUT, CANCELED -> {
        finishOne(entry);
        return Optional.empty();
      }
      case CANCEL, CANCELING -> {
        JobWrite canceled = new JobWrite(job.transition(JobStatus.CANCELED).lastCompletionDate(clock.instant()),
            read.version(), previous);
        writer.write(canceled).whenComplete((applied, failure) -> {
          if (Boolean.TRUE.equals(applied)) {
            finishOne(entry);
          } else {
            requeue(new Queued(JobId.number(job.id()), entry)); // raced: look at it again
          }
        });
        return Optional.empty();
      }
      case RUNNING -> {
        LOG.info("job {} was running when its master stopped: running it again", job.id());
        job.transition(JobStatus.PENDING);
      }
      default -> { }
    }
    job.transition(JobStatus.RUNNING)
        .executionCount(job.executionCount() + 1)
        .lastExecutionDate(clock.instant());
    return Optional.of(new JobWrite(job, read.version(), previous));
  }

  /** Writes one job RUNNING if it should run, reading it again after every race; empty if it should not. */
  private Optional<Assignment> startAlone(String jobId, Entry entry) throws InterruptedException {
    while (true) {
      Optional<Versioned<JobRecord>> read = store.job(jobId);
      if (read.isEmpty()) {
        finishOne(entry);
        return Optional.empty();
      }
      Optional<JobWrite> write = startWrite(read.get(), entry);
      if (write.isEmpty()) {
        return Optional.empty();
      }
      if (write(write.get())) {
        return Optional.of(new Assignment(write.get().record(), write.get().expectedVersion() + 1));
      }
    }
  }

  /**
   * Ends every queued job FAILURE with {@code reason}, without an execution and uncharged: none of them can run (the
   * function's build failed). Jobs that ended or were removed meanwhile are left as they are, a job a client asked
   * to cancel ends CANCELED. Returns how many jobs it ended FAILURE.
   */
  int failQueued(String reason) throws InterruptedException {
    List<Queued> taken;
    synchronized (this) {
      taken = new ArrayList<>(queue);
      queue.clear();
    }
    int failed = 0;
    for (int from = 0; from < taken.size(); from += FAIL_BATCH) {
      Map<String, Queued> byId = new LinkedHashMap<>();
      taken.subList(from, Math.min(taken.size(), from + FAIL_BATCH))
          .forEach(q -> byId.put(JobId.of(functionId, q.number()), q));
      Map<String, Versioned<JobRecord>> read = store.jobs(byId.keySet());
      Map<String, PendingWrite> writes = new LinkedHashMap<>();
      for (Map.Entry<String, Queued> e : byId.entrySet()) {
        Optional<JobWrite> write = Optional.ofNullable(read.get(e.getKey())).flatMap(job -> failWrite(job, reason));
        if (write.isPresent()) {
          writes.put(e.getKey(), new PendingWrite(write.get(), writer.write(write.get())));
        } else {
          finishOne(e.getValue().entry());
        }
      }
      for (Map.Entry<String, PendingWrite> e : writes.entrySet()) {
        boolean ended = applied(e.getValue()) || failAlone(e.getKey(), reason);
        if (ended && e.getValue().write().record().status() == JobStatus.FAILURE) {
          failed++;
        }
        finishOne(byId.get(e.getKey()).entry());
      }
    }
    return failed;
  }

  /** The write that ends a job that cannot run; empty if it has ended already. */
  private Optional<JobWrite> failWrite(Versioned<JobRecord> read, String reason) {
    JobRecord job = read.value();
    JobStatus previous = job.status();
    return switch (previous) {
      case SUCCESS, FAILURE, TIMEOUT, CANCELED -> Optional.empty();
      case CANCEL, CANCELING -> Optional.of(new JobWrite(job.transition(JobStatus.CANCELED)
          .lastCompletionDate(clock.instant()), read.version(), previous));
      default -> Optional.of(new JobWrite(job.transition(JobStatus.FAILURE).errorReason(reason)
          .lastCompletionDate(clock.instant()), read.version(), previous));
    };
  }

  /** Ends one job that cannot run, reading it again after every race; false if it had ended or was removed. */
  private boolean failAlone(String jobId, String reason) throws InterruptedException {
    while (true) {
      Optional<JobWrite> write = store.job(jobId).flatMap(job -> failWrite(job, reason));
      if (write.isEmpty()) {
        return false;
      }
      if (write(write.get())) {
        return true;
      }
    }
  }

  private void requeue(Queued queued) {
    synchronized (this) {
      queue.addFirst(queued);
    }
    onWork.run();
  }

  /**
   * Records how executors' attempts ended, together: retries a failure while the function's retryCount allows. An
   * outcome of a job that its executor does not hold is ignored. If an outcome cannot be written, its job goes back
   * to the queue (it is still RUNNING in ZooKeeper and runs again).
   */
  void complete(List<Reported> reports) throws InterruptedException {
    List<Held> ended = new ArrayList<>(reports.size());
    List<Outcome> outcomes = new ArrayList<>(reports.size());
    synchronized (this) {
      long now = clock.millis();
      for (Reported r : reports) {
        Executor e = executors.get(r.executor());
        Held held = e == null ? null : remove(e, r.outcome().jobId());
        if (held == null) {
          LOG.warn("executor {} reported job {} that it does not hold", r.executor(), r.outcome().jobId());
          continue;
        }
        e.progressMillis = now;
        e.disconnectedMillis = null;
        ended.add(held);
        outcomes.add(r.outcome());
      }
      lastActive = now;
    }
    List<PendingWrite> writes = new ArrayList<>(ended.size());
    List<Boolean> retries = new ArrayList<>(ended.size());
    for (int i = 0; i < ended.size(); i++) {
      Assignment a = ended.get(i).assignment();
      JobRecord job = a.record();
      JobStatus previous = job.status();
      retries.add(end(job, outcomes.get(i)));
      JobWrite write = new JobWrite(job, a.version(), previous);
      writes.add(new PendingWrite(write, writer.write(write)));
    }
    RuntimeException failure = null;
    for (int i = 0; i < ended.size(); i++) {
      Held held = ended.get(i);
      try {
        if (applied(writes.get(i))) {
          settled(held, retries.get(i));
        } else {
          recordAgain(held, outcomes.get(i));
        }
      } catch (RuntimeException e) {
        requeue(new Queued(JobId.number(held.jobId()), held.entry()));
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static Held remove(Executor e, String jobId) {
    for (Iterator<Held> it = e.jobs.iterator(); it.hasNext(); ) {
      Held held = it.next();
      if (held.jobId().equals(jobId)) {
        it.remove();
        return held;
      }
    }
    return null;
  }

  /** The job's end is written: a retry goes back to the queue, anything else finishes its entry. */
  private void settled(Held held, boolean retry) {
    if (retry) {
      synchronized (this) {
        queue.addLast(new Queued(JobId.number(held.jobId()), held.entry()));
      }
      onWork.run();
    } else {
      finishOne(held.entry());
    }
  }

  /** Writes an outcome whose first write raced a client's change of the job, reading the job again each time. */
  private void recordAgain(Held held, Outcome outcome) throws InterruptedException {
    while (true) {
      Optional<Versioned<JobRecord>> reread = store.job(outcome.jobId());
      if (reread.isEmpty() || reread.get().value().status().isTerminal()) {
        finishOne(held.entry());
        return;
      }
      JobRecord job = reread.get().value();
      JobStatus previous = job.status();
      boolean retry = end(job, outcome);
      if (write(new JobWrite(job, reread.get().version(), previous))) {
        settled(held, retry);
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
   * A client asked to cancel {@code jobId}: writes CANCEL → CANCELING if an executor here holds the job, and
   * returns that executor (which is then told to kill or drop the job); empty if none holds it (any more). A job
   * being handed out is waited for: a client can see it RUNNING, and cancel it, before its executor holds it here.
   */
  Optional<String> cancelRequested(String jobId) throws InterruptedException {
    synchronized (this) {
      while (dispatching.contains(JobId.number(jobId))) {
        wait();
      }
    }
    String executor = holder(jobId);
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

  private synchronized String holder(String jobId) {
    for (Map.Entry<String, Executor> e : executors.entrySet()) {
      for (Held held : e.getValue().jobs) {
        if (held.jobId().equals(jobId)) {
          return e.getKey();
        }
      }
    }
    return null;
  }

  /**
   * An executor died of its job's doing (a memory kill by YARN, the runner crashing): the attempt of the job it ran
   * (the first it held) failed and is charged like any failure; the jobs that waited behind it run again uncharged.
   */
  void executorFailed(String executor, String reason) {
    Held running;
    synchronized (this) {
      Executor e = executors.get(executor);
      running = e == null ? null : e.jobs.peekFirst();
    }
    if (running != null) {
      try {
        complete(List.of(new Reported(executor, Outcome.without(running.jobId(), JobStatus.FAILURE, reason))));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        LOG.warn("recording the failure of job {} failed", running.jobId(), e);
      }
    }
    executorLost(executor, reason);
  }

  /**
   * An executor's channel closed while it held jobs. Its container's exit status, when YARN reports it, decides
   * whether the job it ran is charged ({@link #executorFailed}) or not ({@link #executorLost}); if YARN says nothing
   * within {@link #expireDisconnected}'s time, its jobs run again uncharged.
   */
  synchronized void executorDisconnected(String executor) {
    Executor e = executors.get(executor);
    if (e == null) {
      return;
    }
    if (e.jobs.isEmpty()) {
      executors.remove(executor);
    } else {
      e.disconnectedMillis = clock.millis();
    }
  }

  /** Re-runs (uncharged) the jobs of executors disconnected longer than {@code millis} ago. */
  void expireDisconnected(long millis) {
    List<String> expired = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      executors.forEach((executor, e) -> {
        if (e.disconnectedMillis != null && now - e.disconnectedMillis >= millis) {
          expired.add(executor);
        }
      });
    }
    expired.forEach(e -> executorLost(e, "its channel closed and YARN did not report its container"));
  }

  /**
   * Executors that hold jobs and have reported nothing for longer than a job's timeout plus {@code graceMillis}
   * (the runner kills a job at its timeout and reports at once, so one that says nothing for longer is hung or cut
   * off): their jobs run again, uncharged.
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
      executors.forEach((executor, e) -> {
        if (!e.jobs.isEmpty() && now - e.progressMillis > limit) {
          overdue.add(executor);
        }
      });
    }
    overdue.forEach(e -> executorLost(e, "it said nothing past the job's timeout"));
    return overdue;
  }

  /** An executor went away: the jobs it held run again without being charged a retry. */
  void executorLost(String executor, String reason) {
    synchronized (this) {
      Executor e = executors.remove(executor);
      if (e == null || e.jobs.isEmpty()) {
        return;
      }
      LOG.warn("executor {} was lost holding {} jobs, the first {} ({}): they will run again", executor,
          e.jobs.size(), e.jobs.peekFirst().jobId(), reason);
      for (Iterator<Held> it = e.jobs.descendingIterator(); it.hasNext(); ) {
        Held held = it.next();
        queue.addFirst(new Queued(JobId.number(held.jobId()), held.entry()));
      }
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

  private static boolean applied(PendingWrite pending) throws InterruptedException {
    return await(pending.applied(), pending.write());
  }

  private boolean write(JobWrite write) throws InterruptedException {
    return await(writer.write(write), write);
  }

  private static boolean await(CompletableFuture<Boolean> applied, JobWrite write) throws InterruptedException {
    try {
      return applied.get(WRITE_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write job " + write.record().id(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("ZooKeeper did not take the write of job " + write.record().id() + " in time", e);
    }
  }
}
