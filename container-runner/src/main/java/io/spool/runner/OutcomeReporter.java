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
 * reported: the outcomes that end while a message is on its way go together in the next one.
 */
final class OutcomeReporter implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(OutcomeReporter.class);
  private static final Object FLUSH = new Object();

  private final MasterChannel master;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean failed;

  OutcomeReporter(MasterChannel master) {
    this.master = master;
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
        queue.drainTo(batch);
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
            master.send(done);
          } catch (IOException e) {
            failed = true;
            LOG.warn("cannot report {} outcomes to the master: {}", outcomes.size(), e.toString());
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
