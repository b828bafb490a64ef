package io.spool.appmaster;

import io.spool.core.state.Fence;
import io.spool.core.state.JobWrite;
import io.spool.core.state.StaleFenceException;
import io.spool.core.state.StateStore;
import java.io.Closeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's group commit of job state: writes queue up while the previous multi-op is in flight and then go to
 * ZooKeeper together, fenced by the master's epoch. With nothing in flight a write goes at once, so batching adds
 * no latency when the master is quiet.
 */
final class StateWriter implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);
  private static final int MAX_OPS = 200;

  private record Pending(JobWrite write, String finishedSubmission, CompletableFuture<Boolean> applied) {}

  private final StateStore store;
  private final Fence fence;
  private final long completionsRetentionMs;
  private long nextPruneMs;
  private final Consumer<StaleFenceException> onStale;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * A writer for the function of {@code fence}; it also deletes the function's completion-log entries older than
   * {@code completionsRetentionMs}, every tenth of that period.
   */
  StateWriter(StateStore store, Fence fence, long completionsRetentionMs, Consumer<StaleFenceException> onStale) {
    this.store = store;
    this.fence = fence;
    this.completionsRetentionMs = completionsRetentionMs;
    this.nextPruneMs = System.currentTimeMillis() + completionsRetentionMs / 10;
    this.onStale = onStale;
    this.thread = new Thread(this::loop, "state-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues a compare-and-set write; the future says whether it was applied. */
  CompletableFuture<Boolean> write(JobWrite write) {
    CompletableFuture<Boolean> applied = new CompletableFuture<>();
    queue.add(new Pending(write, null, applied));
    return applied;
  }

  /** Queues the deletion of a finished submission-log entry, after every write queued before it. */
  void finishSubmission(String name) {
    queue.add(new Pending(null, name, new CompletableFuture<>()));
  }

  private void loop() {
    List<Pending> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        pruneIfDue();
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_OPS - 1);
        flush(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void pruneIfDue() {
    long now = System.currentTimeMillis();
    if (now < nextPruneMs) {
      return;
    }
    nextPruneMs = now + completionsRetentionMs / 10;
    try {
      int pruned = store.pruneCompletions(fence.functionId(), Instant.ofEpochMilli(now - completionsRetentionMs));
      LOG.debug("pruned {} completion-log entries", pruned);
    } catch (RuntimeException e) {
      LOG.warn("pruning the completion log failed (it is tried again later)", e);
    }
  }

  private void flush(List<Pending> batch) {
    List<JobWrite> writes = new ArrayList<>(batch.size());
    List<CompletableFuture<Boolean>> futures = new ArrayList<>(batch.size());
    List<String> finished = new ArrayList<>();
    for (Pending p : batch) {
      if (p.write() != null) {
        writes.add(p.write());
        futures.add(p.applied());
      } else {
        finished.add(p.finishedSubmission());
      }
    }
    try {
      List<Boolean> applied = store.commit(fence, writes, finished);
      for (int i = 0; i < futures.size(); i++) {
        futures.get(i).complete(applied.get(i));
      }
    } catch (StaleFenceException e) {
      futures.forEach(f -> f.completeExceptionally(e));
      running = false;
      onStale.accept(e);
    } catch (RuntimeException e) {
      LOG.warn("writing {} job records failed", writes.size(), e);
      futures.forEach(f -> f.completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
