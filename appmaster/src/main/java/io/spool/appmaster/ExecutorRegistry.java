package io.spool.appmaster;

import java.util.HashMap;
import java.util.Map;

/** The executor containers of this master: launched, connected, ended. */
final class ExecutorRegistry {

  enum State { LAUNCHING, CONNECTED }

  private final Map<String, State> executors = new HashMap<>();

  synchronized void launching(String containerId) {
    executors.put(containerId, State.LAUNCHING);
  }

  /** Marks an executor connected; false if this master never launched it (or it already ended). */
  synchronized boolean connected(String containerId) {
    State state = executors.get(containerId);
    if (state != State.LAUNCHING) {
      return false;
    }
    executors.put(containerId, State.CONNECTED);
    return true;
  }

  /** Marks an executor ended; true the first time. */
  synchronized boolean ended(String containerId) {
    return executors.remove(containerId) != null;
  }

  /** Executors launched and not yet ended. */
  synchronized int live() {
    return executors.size();
  }
}
