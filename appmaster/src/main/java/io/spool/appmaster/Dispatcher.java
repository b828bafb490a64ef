package io.spool.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.Messages;
import io.spool.core.model.AttemptStatistics;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands queued jobs to the executors as they ask for them, and records what they report. Executors ask for jobs by
 * count (credit): an executor of short jobs asks for a few ahead of the one it runs, so that the next job is there
 * when one ends. One thread hands out work (the reads and RUNNING writes happen there) and one records outcomes, for
 * all executors; an executor that has asked and got nothing for the idle-release time is told to stop.
 */
final class Dispatcher implements ExecutorChannels.Listener, Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final long MAX_WAIT_MS = 1_000;

  /** What the dispatcher needs to know about the function and its executors. */
  interface Work {
    /** The welcome message's content: callable, python, owner. */
    ObjectNode welcome();

    /** A job as the executor gets it (arguments, merged environment, timeout, memory). */
    ObjectNode jobMessage(JobRecord job) throws IOException;

    /** Whether this master launched the container and it has not connected before. */
    boolean admit(String container);

    /** Whether the executor should take no more jobs (resized function, too many executors). */
    boolean retire(String container);
  }

  /** A connected executor: the jobs it asked for and has not got, and since when it waits holding nothing. */
  private static final class Peer {
    int credit;
    long idleSince = -1;
    boolean stopping;
  }

  private final Scheduler scheduler;
  private final Work work;
  private final Clock clock;
  private final long idleReleaseMs;
  /** Held while jobs are handed out and while a cancel is sent. */
  private final Object handOut = new Object();
  private final Map<String, Peer> peers = new LinkedHashMap<>(); // guarded by this
  private final LinkedBlockingQueue<Scheduler.Reported> reports = new LinkedBlockingQueue<>();
  private final Thread dispatching;
  private final Thread recording;
  private ExecutorChannels channels;
  private boolean signaled; // guarded by this
  private volatile boolean open = true;

  Dispatcher(Scheduler scheduler, Work work, Clock clock, long idleReleaseMs) {
    this.scheduler = scheduler;
    this.work = work;
    this.clock = clock;
    this.idleReleaseMs = idleReleaseMs;
    this.dispatching = new Thread(this::dispatchLoop, "dispatcher");
    this.recording = new Thread(this::recordLoop, "outcome-recorder");
    dispatching.setDaemon(true);
    recording.setDaemon(true);
  }

  /** Starts serving the executors of {@code channels}. */
  void start(ExecutorChannels channels) {
    this.channels = channels;
    dispatching.start();
    recording.start();
  }

  /** Wakes the dispatcher: there may be work to hand out (new jobs, the function changed, a share changed). */
  synchronized void signal() {
    signaled = true;
    notifyAll();
  }

  @Override
  public Optional<String> admit(String container) {
    if (!work.admit(container)) {
      return Optional.of("unknown container " + container);
    }
    synchronized (this) {
      peers.put(container, new Peer());
    }
    return Optional.empty();
  }

  @Override
  public ObjectNode welcome() {
    return work.welcome();
  }

  @Override
  public void want(String container, int count) {
    synchronized (this) {
      Peer peer = peers.get(container);
      if (peer != null && count > 0) {
        peer.credit += count;
        signaled = true;
        notifyAll();
      }
    }
  }

  @Override
  public void done(String container, List<JsonNode> outcomes) {
    for (JsonNode outcome : outcomes) {
      reports.add(new Scheduler.Reported(container, outcome(outcome)));
    }
  }

  @Override
  public void closed(String container) {
    synchronized (this) {
      peers.remove(container);
    }
    scheduler.executorDisconnected(container);
    signal();
  }

  /**
   * Tells the executor that holds {@code jobId} to cancel it; false if it is not connected. A hand-out under way
   * is sent first: the executor never hears of a cancel before the job.
   */
  boolean cancel(String container, String jobId) {
    synchronized (handOut) {
      return channels.send(container, Messages.of(Messages.CANCEL).put("job", jobId));
    }
  }

  private void dispatchLoop() {
    try {
      while (open) {
        awaitSignal();
        boolean handedOut;
        do {
          handedOut = false;
          for (String container : containers()) {
            handedOut |= serve(container);
          }
        } while (handedOut && open);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("the dispatcher failed", e);
    }
  }

  private synchronized void awaitSignal() throws InterruptedException {
    long until = clock.millis() + MAX_WAIT_MS;
    for (Peer peer : peers.values()) {
      if (peer.idleSince >= 0 && !peer.stopping) {
        until = Math.min(until, peer.idleSince + idleReleaseMs);
      }
    }
    while (!signaled && open) {
      long left = until - clock.millis();
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    signaled = false;
  }

  private synchronized List<String> containers() {
    return new ArrayList<>(peers.keySet());
  }

  /** Hands the executor what it asked for, if there is any; stops it if it should stop. True if it got jobs. */
  private boolean serve(String container) throws InterruptedException {
    int credit;
    int waiting;
    synchronized (this) {
      Peer peer = peers.get(container);
      if (peer == null || peer.stopping) {
        return false;
      }
      credit = peer.credit;
      waiting = (int) peers.values().stream().filter(p -> p.credit > 0 && !p.stopping).count();
    }
    boolean holds = scheduler.held(container) > 0;
    if (work.retire(container)) {
      if (!holds) {
        stop(container, "retired: the function was resized");
      }
      return false;
    }
    if (credit > 0 && scheduler.hasWork()) {
      int fair = Math.max(1, (scheduler.queued() + waiting - 1) / Math.max(1, waiting));
      synchronized (handOut) { // a cancel of these jobs goes after them
        List<Assignment> jobs = scheduler.dispatch(container, Math.min(credit, fair));
        if (!jobs.isEmpty()) {
          synchronized (this) {
            Peer peer = peers.get(container);
            if (peer != null) {
              peer.credit -= jobs.size();
              peer.idleSince = -1;
            }
          }
          send(container, jobs);
          return true;
        }
      }
    }
    if (!holds && credit > 0) {
      long now = clock.millis();
      boolean idleTooLong;
      synchronized (this) {
        Peer peer = peers.get(container);
        if (peer == null) {
          return false;
        }
        if (peer.idleSince < 0) {
          peer.idleSince = now;
        }
        idleTooLong = now - peer.idleSince >= idleReleaseMs;
      }
      if (idleTooLong && scheduler.held(container) == 0) {
        stop(container, "no more work");
      }
    }
    return false;
  }

  private void send(String container, List<Assignment> jobs) {
    ObjectNode message = Messages.of(Messages.JOBS);
    ArrayNode list = message.putArray("jobs");
    try {
      for (Assignment a : jobs) {
        list.add(work.jobMessage(a.record()));
      }
    } catch (IOException e) {
      LOG.error("cannot hand jobs to executor {}: {}", container, e.toString());
      scheduler.executorLost(container, "its jobs could not be sent: " + e.getMessage());
      stop(container, "the master could not send its jobs");
      return;
    }
    if (!channels.send(container, message)) {
      scheduler.executorDisconnected(container);
    }
  }

  private void stop(String container, String reason) {
    synchronized (this) {
      Peer peer = peers.get(container);
      if (peer == null || peer.stopping) {
        return;
      }
      peer.stopping = true;
    }
    LOG.info("stopping executor {}: {}", container, reason);
    channels.sendAndClose(container, Messages.of(Messages.STOP).put("reason", reason));
  }

  private void recordLoop() {
    List<Scheduler.Reported> batch = new ArrayList<>();
    try {
      while (open || !reports.isEmpty()) {
        Scheduler.Reported first = reports.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        reports.drainTo(batch);
        try {
          scheduler.complete(batch);
        } catch (RuntimeException e) {
          LOG.warn("recording {} outcomes failed (their jobs run again)", batch.size(), e);
        } finally {
          batch.clear();
        }
        signal();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An outcome as an executor reported it. */
  static Outcome outcome(JsonNode done) {
    JsonNode exit = done.get("exitCode");
    JsonNode stats = done.get("statistics");
    return new Outcome(done.path("job").asText(), JobStatus.valueOf(done.path("status").asText()),
        exit == null || exit.isNull() ? null : exit.asInt(),
        done.hasNonNull("errorReason") ? done.get("errorReason").asText() : null,
        done.path("runtime").asDouble(),
        done.hasNonNull("resultKind") ? done.get("resultKind").asText() : null,
        stats == null || !stats.isObject() ? null : new AttemptStatistics(stats.path("cpuSeconds").asDouble(),
            stats.path("cpuPercent").asDouble(), stats.path("peakMemoryBytes").asLong(),
            stats.path("averageMemoryBytes").asLong()),
        done.hasNonNull("result") ? done.get("result").asText() : null,
        done.hasNonNull("log") ? done.get("log").asText() : null);
  }

  /** Tells every executor that holds no job to stop. */
  void stopIdle(String reason) {
    for (String container : containers()) {
      if (scheduler.held(container) == 0) {
        stop(container, reason);
      }
    }
  }

  /** Stops handing out work; the outcomes already reported are still recorded. */
  @Override
  public void close() {
    open = false;
    signal();
    try {
      dispatching.join(10_000);
      recording.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
