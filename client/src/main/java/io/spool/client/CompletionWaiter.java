package io.spool.client;

import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.state.Completion;
import io.spool.core.state.NotFoundException;
import io.spool.core.state.Versioned;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Yields a function's jobs as they end, in the order they ended. It reads the jobs once, then follows the function's
 * completion log (one entry per write that ended jobs), woken by a ZooKeeper watch: it reads only the jobs an entry
 * names, never polls each job, and never spins. If it has not looked at the log for half its retention (entries
 * may have been pruned meanwhile), or once a minute as a safety net, it reads the remaining jobs again.
 */
final class CompletionWaiter implements Iterator<Job> {

  private static final Logger LOG = LoggerFactory.getLogger(CompletionWaiter.class);
  private static final long FUNCTION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long MASTER_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long FULL_SCAN_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long MAX_WAIT_MS = 1_000;
  private static final int READ_CHUNK = 5_000;

  private final Spool spool;
  private final String functionId;
  private final Duration timeout;
  private final long deadline;
  private final long staleAfterNanos;
  private final Map<Long, Job> remaining = new LinkedHashMap<>();
  private final Deque<Job> ready = new ArrayDeque<>();
  private final Semaphore changed = new Semaphore(0);
  private final Runnable signal = changed::release;
  private String cursor;
  private long lastLook;
  private long lastFullScan;
  private long nextFunctionCheck;
  private long nextMasterCheck;
  private boolean started;

  CompletionWaiter(Spool spool, String functionId, Collection<Job> jobs, Duration timeout) {
    this.spool = spool;
    this.functionId = functionId;
    this.timeout = timeout;
    for (Job job : jobs) {
      if (!job.functionId().equals(functionId)) {
        throw new IllegalArgumentException("job " + job.id() + " belongs to function " + job.functionId()
            + ", not " + functionId + ": wait on it through its own function");
      }
      remaining.putIfAbsent(JobId.number(job.id()), job);
    }
    long now = System.nanoTime();
    this.deadline = now + timeout.toNanos();
    this.nextFunctionCheck = now;
    this.nextMasterCheck = now + MASTER_CHECK_NANOS;
    this.staleAfterNanos = TimeUnit.MILLISECONDS.toNanos(spool.configuration().getLong(
        SpoolConfig.COMPLETIONS_RETENTION_MS, SpoolConfig.COMPLETIONS_RETENTION_MS_DEFAULT) / 2);
  }

  @Override
  public boolean hasNext() {
    if (!started) {
      started = true;
      cursor = newestEntry();
      readRemaining();
    }
    try {
      while (ready.isEmpty() && !remaining.isEmpty()) {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          throw new WaitTimeoutException(remaining.size() + " of the jobs waited on are still not done after "
              + timeout.toSeconds() + " s", List.copyOf(remaining.values()));
        }
        checkFunction(now);
        if (now - lastLook >= staleAfterNanos || now - lastFullScan >= FULL_SCAN_NANOS) {
          cursor = newestEntry();
          readRemaining();
        } else {
          followLog();
        }
        if (ready.isEmpty() && !remaining.isEmpty()) {
          long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
          changed.tryAcquire(Math.min(left, MAX_WAIT_MS), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for jobs of function " + functionId, e);
    }
    return !ready.isEmpty();
  }

  @Override
  public Job next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  /** The newest entry of the completion log now (null if none), watching the log from here on. */
  private String newestEntry() {
    changed.drainPermits();
    List<Completion> entries = spool.store().completions(functionId, cursor, signal);
    return entries.isEmpty() ? cursor : entries.get(entries.size() - 1).name();
  }

  /** Reads the jobs that log entries since the cursor name, and takes those that ended. */
  private void followLog() {
    changed.drainPermits();
    List<Completion> entries = spool.store().completions(functionId, cursor, signal);
    lastLook = System.nanoTime();
    if (entries.isEmpty()) {
      return;
    }
    cursor = entries.get(entries.size() - 1).name();
    List<Long> named = new ArrayList<>();
    for (Completion entry : entries) {
      for (Long n : entry.numbers()) {
        if (remaining.containsKey(n)) {
          named.add(n);
        }
      }
    }
    take(named);
  }

  /** Reads every remaining job and takes those that ended. */
  private void readRemaining() {
    take(new ArrayList<>(remaining.keySet()));
    lastLook = System.nanoTime();
    lastFullScan = lastLook;
  }

  /** Reads the jobs numbered {@code numbers}; those that ended become ready, in the order they ended. */
  private void take(List<Long> numbers) {
    List<JobRecord> ended = new ArrayList<>();
    for (int from = 0; from < numbers.size(); from += READ_CHUNK) {
      List<String> ids = new ArrayList<>();
      for (Long n : numbers.subList(from, Math.min(numbers.size(), from + READ_CHUNK))) {
        ids.add(remaining.get(n).id());
      }
      Map<String, Versioned<JobRecord>> read = spool.store().jobs(ids);
      for (String id : ids) {
        Versioned<JobRecord> v = read.get(id);
        if (v == null) {
          LOG.warn("job {} was deleted while it was waited on; it is left out", id);
          remaining.remove(JobId.number(id));
        } else if (v.value().status().isTerminal()) {
          ended.add(v.value());
        }
      }
    }
    Comparator<JobRecord> byEnd = Comparator.comparing(JobRecord::lastCompletionDate,
        Comparator.nullsFirst(Comparator.<java.time.Instant>naturalOrder()));
    ended.sort(byEnd.thenComparingLong(r -> JobId.number(r.id())));
    for (JobRecord r : ended) {
      remaining.remove(JobId.number(r.id()));
      ready.add(new Job(spool, r.id(), r));
    }
  }

  /** Fails if the function's build failed (pending jobs would never run); keeps a master alive for pending jobs. */
  private void checkFunction(long now) {
    if (now - nextFunctionCheck < 0) {
      return;
    }
    nextFunctionCheck = now + FUNCTION_CHECK_NANOS;
    FunctionRecord f = spool.store().function(functionId)
        .orElseThrow(() -> new NotFoundException("function " + functionId + " no longer exists")).value();
    if (f.status() == FunctionStatus.BUILD_FAILED) {
      throw new BuildFailedException(functionId, remaining.size() + " of the jobs waited on", f.statusReason());
    }
    if (now - nextMasterCheck >= 0) {
      nextMasterCheck = now + MASTER_CHECK_NANOS;
      try {
        spool.masters().ensureMaster(f);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the master of function " + functionId + ": " + e.getMessage(),
            e);
      }
    }
  }
}
