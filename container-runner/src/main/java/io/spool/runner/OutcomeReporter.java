package io.spool.runner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.Messages;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends jobs' outcomes to the master on a thread of its own, so that the next job starts while the last one is
 * reported: the outcomes that end while a message is on its way go together in the next one, and while the executor
 * has more jobs to run an outcome waits up to {@value #BATCH_MILLIS} ms for others to go with it (the master then
 * writes them in one ZooKeeper operation, and their storage is flushed once). The outcome of an executor's last job
 * goes at once. Before it sends
 * them, it makes what their jobs stored readable and durable ({@code stored}), so that no job is reported whose
 * result a reader could not find, or a crash could lose.
 */
final class OutcomeReporter implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(OutcomeReporter.class);
  private static final Object FLUSH = new Object();
  static final long BATCH_MILLIS = 20;
  private static final int BATCH_MAX = 256;

  private final MasterChannel master;
  private final java.io.Flushable stored;
  private final java.util.function.Consumer<IOException> onFailure;
  private final java.util.function.BooleanSupplier busy;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean failed;

  /**
   * @param onFailure told, once, that outcomes could not be made durable or sent: the executor cannot go on
   * @param busy whether the executor has jobs to run still (their outcomes may join the ones waiting)
   */
  OutcomeReporter(MasterChannel master, java.io.Flushable stored, java.util.function.Consumer<IOException> onFailure,
      java.util.function.BooleanSupplier busy) {
    this.master = master;
    this.stored = stored;
    this.onFailure = onFailure;
    this.busy = busy;
    this.thread = new Thread(this::loop, "outcome-reporter");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues one job's outcome (a {@code done} entry). */
  void report(ObjectNode outcome) {
    queue.add(outcome);
  }

  private void loop() {
    List<Object> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(queue.take());
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
        queue.drainTo(batch);
        while (batch.size() < BATCH_MAX && batch.get(batch.size() - 1) != FLUSH && busy.getAsBoolean()) {
          long left = until - System.nanoTime();
          Object next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
          if (next == null) {
            break;
          }
          batch.add(next);
          queue.drainTo(batch, BATCH_MAX - batch.size());
        }
        ObjectNode done = Messages.of(Messages.DONE);
        ArrayNode outcomes = done.putArray("outcomes");
        boolean flush = false;
        for (Object o : batch) {
          if (o == FLUSH) {
            flush = true;
          } else {
            outcomes.add((ObjectNode) o);
          }
        }
        batch.clear();
        if (!outcomes.isEmpty() && !failed) {
          try {
            stored.flush();
            master.send(done);
          } catch (IOException e) {
            failed = true;
            LOG.error("cannot store or report {} outcomes: the executor stops (their jobs run again)",
                outcomes.size(), e);
            onFailure.accept(e);
          }
        }
        if (flush) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends what is queued and stops. */
  @Override
  public void close() {
    queue.add(FLUSH);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
