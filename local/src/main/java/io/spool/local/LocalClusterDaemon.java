package io.spool.local;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.service.launcher.IrqHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background JVM behind {@code spool local start}: runs an {@link EmbeddedCluster} until it is sent SIGTERM.
 * Usage: {@code LocalClusterDaemon --data-dir DIR --conf-file FILE}. Once the cluster serves, it writes the client
 * configuration to FILE, then {@code DIR/daemon.pid}, then {@code DIR/ready}; if the cluster fails to start it writes
 * {@code DIR/failed} and exits with 1.
 */
public final class LocalClusterDaemon {

  private static final Logger LOG = LoggerFactory.getLogger(LocalClusterDaemon.class);

  /** Exit code when the cluster did not start. */
  static final int EXIT_START_FAILED = 1;
  /** Exit code when the arguments are wrong. */
  static final int EXIT_USAGE = 2;

  static final String DATA_DIR_OPTION = "--data-dir";
  static final String CONF_FILE_OPTION = "--conf-file";

  private LocalClusterDaemon() {}

  public static void main(String[] args) throws InterruptedException {
    Path dataDir = null;
    Path confFile = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (DATA_DIR_OPTION.equals(args[i])) {
        dataDir = Paths.get(args[i + 1]).toAbsolutePath().normalize();
      } else if (CONF_FILE_OPTION.equals(args[i])) {
        confFile = Paths.get(args[i + 1]).toAbsolutePath().normalize();
      }
    }
    if (dataDir == null || confFile == null || args.length != 4) {
      LOG.error("Usage: LocalClusterDaemon {} DIR {} FILE", DATA_DIR_OPTION, CONF_FILE_OPTION);
      System.exit(EXIT_USAGE);
      return;
    }
    DaemonFiles files = new DaemonFiles(dataDir);
    EmbeddedCluster cluster;
    try {
      cluster = EmbeddedCluster.start(dataDir);
    } catch (IOException | RuntimeException e) {
      fail(files, e);
      return;
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    bindStopSignals(stopRequested);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(cluster, files), "spool-local-shutdown"));
    try {
      cluster.writeClientConfiguration(confFile);
      files.writePid(ProcessHandle.current().pid());
      files.writeReady(confFile);
    } catch (IOException | RuntimeException e) {
      cluster.close();
      fail(files, e);
      return;
    }
    LOG.info("Embedded cluster ready (pid {}); client configuration in {}", ProcessHandle.current().pid(), confFile);
    stopRequested.await();
    LOG.info("Stopping the embedded cluster");
    stop(cluster, files);
    System.exit(0);
  }

  /**
   * Turns SIGTERM and SIGINT into a stop request for the main thread, so that the cluster stops before the JVM
   * begins to shut down: during shutdown the DataNode cannot stop cleanly (it removes a Hadoop shutdown hook, which
   * Hadoop refuses then). The shutdown hook remains for the other ways the JVM ends.
   */
  private static void bindStopSignals(CountDownLatch stopRequested) {
    for (String signal : new String[] {IrqHandler.SIGTERM, IrqHandler.CONTROL_C}) {
      try {
        new IrqHandler(signal, interrupt -> stopRequested.countDown()).bind();
      } catch (IllegalArgumentException e) {
        LOG.warn("Cannot handle SIG{}; the JVM's shutdown hook will stop the cluster instead", signal, e);
      }
    }
  }

  private static void stop(EmbeddedCluster cluster, DaemonFiles files) {
    cluster.close();
    try {
      files.clearRunning();
    } catch (IOException e) {
      LOG.warn("Could not remove the daemon's state files in {}", files.dir(), e);
    }
  }

  private static void fail(DaemonFiles files, Exception error) {
    LOG.error("Embedded cluster failed to start in {}", files.dir(), error);
    try {
      files.writeFailed(error);
    } catch (IOException e) {
      LOG.error("Could not write {}", files.failedFile(), e);
    }
    System.exit(EXIT_START_FAILED);
  }
}
