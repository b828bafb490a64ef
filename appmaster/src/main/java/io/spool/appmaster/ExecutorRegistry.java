package io.spool.appmaster;

import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.yarn.api.records.Resource;

/**
 * The executor containers of this master, from launch to end: the size each was requested at, whether it has
 * connected, and whether it is being retired (the function was resized, or runs more executors than it may now).
 */
final class ExecutorRegistry {

  private static final class Executor {
    final Resource size;
    boolean connected;
    boolean retiring;

    Executor(Resource size) {
      this.size = size;
    }
  }

  private final Map<String, Executor> executors = new HashMap<>();

  synchronized void launching(String containerId, Resource size) {
    executors.put(containerId, new Executor(size));
  }

  /** Marks an executor connected; false if this master never launched it (or it already ended). */
  synchronized boolean connected(String containerId) {
    Executor e = executors.get(containerId);
    if (e == null || e.connected) {
      return false;
    }
    e.connected = true;
    return true;
  }

  /** Marks an executor ended; true the first time. */
  synchronized boolean ended(String containerId) {
    return executors.remove(containerId) != null;
  }

  /**
   * Executors launched, not yet ended and not retiring: those that can take jobs. (A retiring executor runs no new
   * job, so one is not counted against maximumConcurrency while it winds down.)
   */
  synchronized int live() {
    return (int) executors.values().stream().filter(e -> !e.retiring).count();
  }

  /** Marks an executor that went silent: if it ever asks for work again, it is told to stop. */
  synchronized void retireSilent(String containerId) {
    Executor e = executors.get(containerId);
    if (e != null) {
      e.retiring = true;
    }
  }

  /**
   * Whether the executor should stop before its next job: it was launched at another size than {@code size}, or
   * more executors are connected than {@code maximumConcurrency} allows. Each surplus executor is retired once.
   */
  synchronized boolean retire(String containerId, Resource size, int maximumConcurrency) {
    Executor e = executors.get(containerId);
    if (e == null) {
      return true;
    }
    if (e.retiring) {
      return true;
    }
    long active = executors.values().stream().filter(x -> x.connected && !x.retiring).count();
    if (!e.size.equals(size) || active > maximumConcurrency) {
      e.retiring = true;
    }
    return e.retiring;
  }
}
