package io.spool.client;

import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.state.StateLayout;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.hadoop.conf.Configuration;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the masters of functions that have work and no live master, so that no work waits on a client: after a
 * cluster restart, a master that used up its YARN attempts, a node lost with the master's container. One supervisor
 * is active per cluster (a Curator {@link LeaderLatch}); the others stand by and take over when it ends.
 *
 * <p>A function is supervised while it is READY (or BUILDING) and enabled and its submission log names work its
 * masters have yet to finish. Its master is live while a YARN application of it is active; the supervisor learns of
 * new work and of a master's end through ZooKeeper watches (the submission log, the master's live node) and asks
 * YARN every {@value SpoolConfig#SUPERVISOR_POLL_INTERVAL_MS} about the functions with work; a full scan on start and
 * every {@value SpoolConfig#SUPERVISOR_SCAN_INTERVAL_MS} catches anything missed. It starts a master as the
 * function's owner, as clients do (fenced epochs keep a zombie master harmless).
 * Restarts of one function back off, and at {@value SpoolConfig#SUPERVISOR_RESTART_LIMIT} restarts within the window
 * the supervisor stops the function, naming the master's last diagnostics; {@link Function#start()} resumes it.
 */
public final class Supervisor implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  /** The connections that act as functions' owners. */
  public interface Owners {

    /** The connection that acts as {@code owner}. */
    Spool connection(String owner);

    /** Runs {@code call} as {@code owner}, as its connection does. */
    <T> T as(String owner, Callable<T> call) throws Exception;

    /** One connection for every owner, calls run as this process's user (a cluster with one user). */
    static Owners single(Spool spool) {
      return new Owners() {
        @Override
        public Spool connection(String owner) {
          return spool;
        }

        @Override
        public <T> T as(String owner, Callable<T> call) throws Exception {
          return call.call();
        }
      };
    }
  }

  /**
   * What the supervisor is doing.
   *
   * @param state {@code active}, {@code standby} or {@code closed}
   * @param leader the id of the active supervisor (host and process), or null if none is known
   * @param functionsSupervised functions with work that this supervisor watches over (0 when standing by)
   * @param restarts masters this supervisor has started
   * @param stopped functions it stopped because their masters kept ending
   */
  public record Status(String state, String leader, int functionsSupervised, int restarts, int stopped) {}

  private final Owners owners;
  private final StateStore own;
  private final StateLayout layout;
  private final LeaderLatch latch;
  private final String id;
  private final long pollMs;
  private final long scanMs;
  private final long graceMs;
  private final int restartLimit;
  private final long windowMs;
  private final long backoffInitialMs;
  private final long backoffMaxMs;
  private final Thread thread;
  private final Object signal = new Object();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private volatile boolean rescan = true;
  private volatile boolean closed;
  /** The functions known from the last scan, by id; touched only by the supervisor's thread. */
  private final Map<String, Supervised> functions = new HashMap<>();
  private volatile int supervised;
  private final AtomicInteger restarts = new AtomicInteger();
  private final AtomicInteger stopped = new AtomicInteger();
  private final Watcher rescanWatcher = event -> requestScan();

  private Supervisor(Configuration conf, Spool own, Owners owners) {
    this.owners = owners;
    this.own = own.store();
    this.layout = own.store().layout();
    this.id = hostName() + ":" + ProcessHandle.current().pid() + ":" + Integer.toHexString(System.identityHashCode(this));
    this.pollMs = conf.getLong(SpoolConfig.SUPERVISOR_POLL_INTERVAL_MS, SpoolConfig.SUPERVISOR_POLL_INTERVAL_MS_DEFAULT);
    this.scanMs = conf.getLong(SpoolConfig.SUPERVISOR_SCAN_INTERVAL_MS, SpoolConfig.SUPERVISOR_SCAN_INTERVAL_MS_DEFAULT);
    this.graceMs = conf.getLong(SpoolConfig.SUPERVISOR_GRACE_MS, SpoolConfig.SUPERVISOR_GRACE_MS_DEFAULT);
    this.restartLimit = conf.getInt(SpoolConfig.SUPERVISOR_RESTART_LIMIT, SpoolConfig.SUPERVISOR_RESTART_LIMIT_DEFAULT);
    this.windowMs = conf.getLong(SpoolConfig.SUPERVISOR_RESTART_WINDOW_MS,
        SpoolConfig.SUPERVISOR_RESTART_WINDOW_MS_DEFAULT);
    this.backoffInitialMs = conf.getLong(SpoolConfig.SUPERVISOR_BACKOFF_INITIAL_MS,
        SpoolConfig.SUPERVISOR_BACKOFF_INITIAL_MS_DEFAULT);
    this.backoffMaxMs = conf.getLong(SpoolConfig.SUPERVISOR_BACKOFF_MAX_MS, SpoolConfig.SUPERVISOR_BACKOFF_MAX_MS_DEFAULT);
    if (pollMs <= 0 || scanMs <= 0 || graceMs < 0 || restartLimit < 1 || windowMs <= 0 || backoffInitialMs < 0
        || backoffMaxMs < backoffInitialMs) {
      throw new IllegalArgumentException("the supervisor's settings must be positive (spool.supervisor.*: poll "
          + pollMs + " ms, scan " + scanMs + " ms, grace " + graceMs + " ms, restart limit " + restartLimit
          + ", window " + windowMs + " ms, backoff " + backoffInitialMs + ".." + backoffMaxMs + " ms)");
    }
    this.latch = new LeaderLatch(own.store().curator(), layout.supervisorLeader(), id);
    this.thread = new Thread(this::run, "spool-supervisor");
    this.thread.setDaemon(true);
  }

  /**
   * Starts a supervisor that joins the election on {@code own}'s connection and acts for each function's owner
   * through {@code owners}. Close it to leave the election.
   */
  public static Supervisor start(Configuration conf, Spool own, Owners owners) {
    Supervisor supervisor = new Supervisor(conf, own, owners);
    supervisor.latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader() {
        LOG.info("supervisor {} is active", supervisor.id);
        supervisor.requestScan();
      }

      @Override
      public void notLeader() {
        LOG.info("supervisor {} stands by", supervisor.id);
        supervisor.wake();
      }
    });
    try {
      supervisor.latch.start();
    } catch (Exception e) {
      throw new IllegalStateException("the supervisor cannot join its election in ZooKeeper: " + e.getMessage(), e);
    }
    supervisor.thread.start();
    return supervisor;
  }

  /** This supervisor's id in the election: host, process and instance. */
  public String id() {
    return id;
  }

  /** Whether this supervisor is the active one. */
  public boolean active() {
    return !closed && latch.hasLeadership();
  }

  public Status status() {
    String leader;
    try {
      leader = closed ? null : latch.getLeader().getId();
    } catch (Exception e) {
      leader = null;
    }
    boolean active = active();
    return new Status(closed ? "closed" : active ? "active" : "standby", leader == null || leader.isEmpty() ? null
        : leader, active ? supervised : 0, restarts.get(), stopped.get());
  }

  @Override
  public void close() {
    closed = true;
    wake();
    try {
      latch.close();
    } catch (IOException | IllegalStateException e) {
      LOG.debug("the supervisor's latch was already closed", e);
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void requestScan() {
    rescan = true;
    wake();
  }

  private void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void run() {
    long lastScan = 0;
    while (!closed) {
      try {
        if (!latch.hasLeadership()) {
          functions.clear();
          supervised = 0;
          rescan = true;
          standBy();
          continue;
        }
        long now = System.currentTimeMillis();
        if (rescan || now - lastScan >= scanMs) {
          rescan = false;
          lastScan = now;
          scan();
        }
        long next = checkAll();
        pause(Math.max(10, Math.min(pollMs, next - System.currentTimeMillis())));
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (!closed) {
          LOG.warn("a round of the supervisor failed; it tries again in {} ms", pollMs, e);
          try {
            pause(pollMs);
          } catch (InterruptedException stop) {
            return;
          }
        }
      }
    }
  }

  private void pause(long ms) throws InterruptedException {
    synchronized (signal) {
      if (!closed && !rescan && dirty.isEmpty()) {
        signal.wait(ms);
      }
    }
  }

  /** Waits while another supervisor is active (the latch's listener wakes this one when it takes over). */
  private void standBy() throws InterruptedException {
    synchronized (signal) {
      if (!closed && !latch.hasLeadership()) {
        signal.wait(pollMs);
      }
    }
  }

  /** Learns every owner's functions, watching the lists for new ones. */
  private void scan() throws Exception {
    Set<String> seen = new HashSet<>();
    own.curator().getChildren().usingWatcher(rescanWatcher).forPath(layout.functions());
    List<String> ownerNames;
    try {
      ownerNames = own.curator().getChildren().usingWatcher(rescanWatcher).forPath(layout.owners());
    } catch (KeeperException.NoNodeException none) {
      ownerNames = List.of();
    }
    for (String owner : ownerNames) {
      List<String> ids;
      try {
        ids = owners.as(owner, () -> {
          try {
            return owners.connection(owner).store().curator().getChildren().usingWatcher(rescanWatcher)
                .forPath(layout.ownerFunctions(owner));
          } catch (KeeperException.NoNodeException none) {
            return List.<String>of();
          }
        });
      } catch (Exception e) {
        LOG.warn("the supervisor cannot list the functions of {}: {}", owner, e.getMessage());
        continue;
      }
      for (String fid : ids) {
        seen.add(fid);
        if (!functions.containsKey(fid)) {
          functions.put(fid, new Supervised(fid, owner));
          dirty.add(fid);
        }
      }
    }
    functions.keySet().retainAll(seen);
  }

  /**
   * Checks the functions that changed or have work; starts the masters that are due.
   *
   * @return when the next check is due (epoch milliseconds)
   */
  private long checkAll() {
    long now = System.currentTimeMillis();
    long next = now + pollMs;
    Set<String> toCheck = new LinkedHashSet<>();
    for (Supervised s : functions.values()) {
      if (s.withWork) {
        toCheck.add(s.functionId);
      }
    }
    for (String fid : List.copyOf(dirty)) {
      dirty.remove(fid);
      if (functions.containsKey(fid)) {
        toCheck.add(fid);
      }
    }
    Map<String, Set<String>> activeByOwner = new HashMap<>();
    for (String fid : toCheck) {
      Supervised s = functions.get(fid);
      try {
        next = Math.min(next, check(s, activeByOwner));
      } catch (Exception e) {
        LOG.warn("the supervisor cannot check function {}: {}", fid, e.getMessage(), e);
      }
    }
    int count = 0;
    for (Supervised s : functions.values()) {
      if (s.withWork && s.eligible) {
        count++;
      }
    }
    supervised = count;
    return next;
  }

  /** @return when this function is next due a check */
  private long check(Supervised s, Map<String, Set<String>> activeByOwner) throws Exception {
    Spool connection = owners.connection(s.owner);
    StateStore store = connection.store();
    Optional<Versioned<FunctionRecord>> found = owners.as(s.owner, () -> store.function(s.functionId));
    long now = System.currentTimeMillis();
    if (found.isEmpty()) {
      functions.remove(s.functionId);
      return Long.MAX_VALUE;
    }
    FunctionRecord record = found.get().value();
    s.withWork = owners.as(s.owner, () -> !store.curator().getChildren().usingWatcher(s.watcher)
        .forPath(layout.submissions(s.functionId)).isEmpty());
    s.eligible = record.enabled()
        && (record.status() == FunctionStatus.READY || record.status() == FunctionStatus.BUILDING);
    if (!s.eligible) {
      // stopped, disabled or failed: left alone, and a start() later begins a fresh count
      s.reset();
      return Long.MAX_VALUE;
    }
    if (!s.withWork) {
      s.noMasterSince = 0;
      return Long.MAX_VALUE;
    }
    // the live node's deletion (a master's exit or its session's end) is a reason to look again at once
    owners.as(s.owner, () -> store.curator().checkExists().usingWatcher(s.watcher)
        .forPath(layout.masterLive(s.functionId)));
    Set<String> active = activeByOwner.get(s.owner);
    if (active == null) {
      active = owners.as(s.owner, () -> connection.masters().functionsWithActiveMasters());
      activeByOwner.put(s.owner, active);
    }
    if (active.contains(s.functionId)) {
      s.noMasterSince = 0;
      return now + pollMs;
    }
    if (s.noMasterSince == 0) {
      s.noMasterSince = now;
    }
    if (now - s.noMasterSince < graceMs) {
      return s.noMasterSince + graceMs;
    }
    while (!s.starts.isEmpty() && now - s.starts.peekFirst() > windowMs) {
      s.starts.removeFirst();
    }
    if (s.starts.size() >= restartLimit) {
      giveUp(s, record);
      return Long.MAX_VALUE;
    }
    if (!s.starts.isEmpty()) {
      long due = s.starts.peekLast() + backoff(s.starts.size());
      if (now < due) {
        return due;
      }
    }
    boolean started = owners.as(s.owner, () -> connection.masters().startUnlessActive(record));
    if (started) {
      s.starts.addLast(now);
      restarts.incrementAndGet();
      LOG.info("supervisor started a master of function {} ({} pending work, no live master for {} ms; restart {} "
          + "within {})", s.functionId, record.status(), now - s.noMasterSince, s.starts.size(),
          Duration.ofMillis(windowMs));
    }
    s.noMasterSince = 0;
    return now + pollMs;
  }

  /** The wait after the {@code n}-th restart within the window before the next one. */
  private long backoff(int n) {
    long wait = backoffInitialMs;
    for (int i = 1; i < n && wait < backoffMaxMs; i++) {
      wait *= 2;
    }
    return Math.min(wait, backoffMaxMs);
  }

  /**
   * The function's masters keep ending: stop it (a function still building fails its build), naming the last
   * master's diagnostics and how to resume.
   */
  private void giveUp(Supervised s, FunctionRecord record) throws Exception {
    Spool connection = owners.connection(s.owner);
    String last = owners.as(s.owner, () -> connection.masters().lastMasterDiagnostics(s.functionId))
        .orElse("no application found");
    String reason = "the supervisor started its master " + s.starts.size() + " times in "
        + Duration.ofMillis(windowMs).toMinutes() + " min and every one ended with work left; last: " + last;
    FunctionRecord updated = owners.as(s.owner, () -> connection.store().updateFunction(s.functionId, f -> {
      if (f.status() == FunctionStatus.READY) {
        return f.transition(FunctionStatus.STOPPED, reason + ". Fix the cause, then resume it with 'spool function "
            + "start " + s.functionId + "'").modifiedDate(Instant.now());
      }
      if (f.status() == FunctionStatus.BUILDING) {
        return f.transition(FunctionStatus.BUILD_FAILED, reason + ". Fix the cause and save the function again")
            .modifiedDate(Instant.now());
      }
      return f;
    }));
    stopped.incrementAndGet();
    s.reset();
    LOG.warn("supervisor no longer restarts the master of function {}: it is {} ({})", s.functionId,
        updated.status(), updated.statusReason());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  /** What the supervisor knows of one function. */
  private final class Supervised {
    final String functionId;
    final String owner;
    /** Wakes the supervisor for this function: its submission log or its master's live node changed. */
    final Watcher watcher;
    /** When the supervisor started its masters, within the window. */
    final Deque<Long> starts = new ArrayDeque<>();
    boolean withWork;
    boolean eligible;
    /** Since when it has had work and no active master, or 0. */
    long noMasterSince;

    Supervised(String functionId, String owner) {
      this.functionId = functionId;
      this.owner = owner;
      this.watcher = event -> {
        dirty.add(functionId);
        wake();
      };
    }

    void reset() {
      starts.clear();
      noMasterSince = 0;
    }
  }
}
