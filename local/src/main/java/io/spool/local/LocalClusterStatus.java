package io.spool.local;

import java.nio.file.Path;

/**
 * What {@code spool local status} reports: whether the embedded-cluster daemon of a data directory runs, and where
 * its client configuration and services are. The addresses are {@code null} when not running or not known.
 *
 * @param running whether the daemon process is alive
 * @param pid the daemon's process id, or 0 when not running
 * @param dataDir the cluster's data directory
 * @param confFile the client configuration the daemon wrote, or {@code null}
 * @param zookeeperQuorum the ZooKeeper connect string from the client configuration, or {@code null}
 * @param defaultFs the HDFS URI from the client configuration, or {@code null}
 * @param resourceManagerAddress the ResourceManager's client address from the client configuration, or {@code null}
 * @param serverUrl the Spool server's URL (the web UI is below it at {@code ui/}, the API at {@code api/v1/}), or
 *     {@code null}
 */
public record LocalClusterStatus(
    boolean running,
    long pid,
    Path dataDir,
    Path confFile,
    String zookeeperQuorum,
    String defaultFs,
    String resourceManagerAddress,
    String serverUrl) {

  static LocalClusterStatus notRunning(Path dataDir) {
    return new LocalClusterStatus(false, 0, dataDir, null, null, null, null, null);
  }

  /** The daemon's log: ZooKeeper's, HDFS's, YARN's and the server's own lines (none reach the console). */
  public Path logFile() {
    return new DaemonFiles(dataDir).logFile();
  }

  /** A few lines for a person to read. */
  public String describe() {
    if (!running) {
      return "Embedded cluster in " + dataDir + ": not running";
    }
    return String.join(System.lineSeparator(),
        "Embedded cluster in " + dataDir + ": running (pid " + pid + ")",
        "  client configuration: " + orUnknown(confFile),
        "  ZooKeeper:            " + orUnknown(zookeeperQuorum),
        "  HDFS:                 " + orUnknown(defaultFs),
        "  ResourceManager:      " + orUnknown(resourceManagerAddress),
        "  web UI:               " + (serverUrl == null ? "(unknown)" : serverUrl + "ui/"),
        "  REST API:             " + (serverUrl == null ? "(unknown)" : serverUrl + "api/v1/ (described in "
            + serverUrl + "api/v1/openapi.json)"),
        "  Hadoop's log:         " + logFile());
  }

  private static String orUnknown(Object value) {
    return value == null ? "(unknown)" : value.toString();
  }
}
