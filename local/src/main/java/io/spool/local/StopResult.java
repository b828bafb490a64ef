package io.spool.local;

import java.nio.file.Path;

/**
 * What {@code spool local stop} did.
 *
 * @param dataDir the cluster's data directory
 * @param wasRunning whether a daemon was running to be stopped
 * @param pid the stopped daemon's process id, or 0 when none was running
 * @param forced whether it had to be killed because it did not exit on SIGTERM in time
 */
public record StopResult(Path dataDir, boolean wasRunning, long pid, boolean forced) {

  static StopResult notRunning(Path dataDir) {
    return new StopResult(dataDir, false, 0, false);
  }

  /** One line for a person to read. */
  public String describe() {
    if (!wasRunning) {
      return "Embedded cluster in " + dataDir + ": not running";
    }
    return "Embedded cluster in " + dataDir + ": stopped (pid " + pid + (forced ? ", killed" : "") + ")";
  }
}
