package io.spool.local;

import com.fasterxml.jackson.databind.JsonNode;
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
 * @param supervisor the supervisor's state as the server's health endpoint tells it ({@code state}, {@code leader},
 *     {@code functionsSupervised}, {@code restarts}, {@code stopped}), or {@code null} if the server does not answer
 */
public record LocalClusterStatus(
    boolean running,
    long pid,
    Path dataDir,
    Path confFile,
    String zookeeperQuorum,
    String defaultFs,
    String resourceManagerAddress,
    String serverUrl,
    JsonNode supervisor) {

  static LocalClusterStatus notRunning(Path dataDir) {
    return new LocalClusterStatus(false, 0, dataDir, null, null, null, null, null, null);
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
        "  supervisor:           " + describeSupervisor(),
        "  Hadoop's log:         " + logFile());
  }

  private String describeSupervisor() {
    if (supervisor == null) {
      return "(unknown: the server does not answer)";
    }
    if (supervisor.isNull()) {
      return "off (spool.supervisor.enabled is false)";
    }
    String state = supervisor.path("state").asText();
    if (!"active".equals(state)) {
      return state + (supervisor.path("leader").isTextual() ? " (active: " + supervisor.path("leader").asText() + ")"
          : "");
    }
    return "active: " + supervisor.path("functionsSupervised").asInt() + " functions with work supervised, "
        + supervisor.path("restarts").asInt() + " masters restarted, " + supervisor.path("stopped").asInt()
        + " functions stopped after repeated failures";
  }

  private static String orUnknown(Object value) {
    return value == null ? "(unknown)" : value.toString();
  }
}
