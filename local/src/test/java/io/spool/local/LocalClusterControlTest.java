package io.spool.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Spawns real daemon JVMs, each running its own embedded cluster. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalClusterControlTest {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);
  private static final byte[] CONTENT = "survives the daemon".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;
  private Path dataDir;
  private Path confFile;

  @BeforeEach
  void paths() {
    dataDir = dir.resolve("data");
    confFile = dir.resolve("conf").resolve(SpoolConfig.SITE_FILE);
  }

  @AfterEach
  void stopLeftoverDaemon() throws IOException {
    LocalClusterControl.stop(dataDir, STOP_TIMEOUT);
  }

  @Test
  void startSpawnsDaemonThatStatusReportsAndStopEnds() throws Exception {
    LocalClusterStatus started = LocalClusterControl.start(dataDir, confFile, START_TIMEOUT);
    assertTrue(started.running());
    assertTrue(ProcessHandle.of(started.pid()).map(ProcessHandle::isAlive).orElse(false));
    assertTrue(started.pid() != ProcessHandle.current().pid());

    LocalClusterStatus status = LocalClusterControl.status(dataDir);
    assertTrue(status.running());
    assertEquals(started.pid(), status.pid());
    assertEquals(confFile, status.confFile());
    Configuration conf = load(confFile);
    assertNotNull(conf.get(SpoolConfig.ZOOKEEPER_QUORUM));
    assertEquals(conf.get(SpoolConfig.ZOOKEEPER_QUORUM), status.zookeeperQuorum());
    assertTrue(status.defaultFs().startsWith("hdfs://"), status.defaultFs());
    assertNotNull(status.resourceManagerAddress());
    assertEquals(conf.get(SpoolConfig.SERVER_URL), status.serverUrl());
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(status.serverUrl() + "api/v1/health")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), "the daemon runs the Spool server: " + health.body());
    java.net.http.HttpResponse<String> ui = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(status.serverUrl() + "ui/")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertTrue(ui.body().contains("spool-function"), ui.body());
    assertTrue(status.describe().contains(status.serverUrl() + "ui/"), status.describe());
    // the supervisor wins its election a moment after the server starts
    for (int i = 0; i < 50 && !"active".equals(status.supervisor().path("state").asText()); i++) {
      Thread.sleep(100);
      status = LocalClusterControl.status(dataDir);
    }
    assertEquals("active", status.supervisor().path("state").asText(), "the daemon's supervisor: " + health.body());
    assertEquals(0, status.supervisor().path("restarts").asInt());
    assertTrue(status.describe().contains("supervisor:           active: 0 functions with work supervised, 0 masters "
        + "restarted"), status.describe());
    try (CuratorFramework zk = connect(status.zookeeperQuorum())) {
      assertNotNull(zk.checkExists().forPath("/zookeeper"));
    }

    LocalClusterStatus again = LocalClusterControl.start(dataDir, confFile, START_TIMEOUT);
    assertTrue(again.running());
    assertEquals(started.pid(), again.pid());

    StopResult stopped = LocalClusterControl.stop(dataDir, STOP_TIMEOUT);
    assertTrue(stopped.wasRunning());
    assertEquals(started.pid(), stopped.pid());
    assertFalse(stopped.forced(), "the daemon ignored SIGTERM");
    assertFalse(ProcessHandle.of(started.pid()).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(LocalClusterControl.status(dataDir).running());
    assertFalse(Files.exists(dataDir.resolve(DaemonFiles.READY_FILE)));

    StopResult stoppedAgain = LocalClusterControl.stop(dataDir, STOP_TIMEOUT);
    assertFalse(stoppedAgain.wasRunning());
    assertTrue(stoppedAgain.describe().contains("not running"), stoppedAgain.describe());
  }

  @Test
  void hdfsFilesAndZnodesSurviveAStopAndStartOfTheDaemon() throws Exception {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path("/tests/daemon-restart/file");
    String znode = "/tests/daemon-restart/znode";
    LocalClusterControl.start(dataDir, confFile, START_TIMEOUT);
    Configuration first = load(confFile);
    try (FileSystem fs = FileSystem.newInstance(first);
         FSDataOutputStream out = fs.create(file)) {
      out.write(CONTENT);
    }
    try (CuratorFramework zk = connect(first.get(SpoolConfig.ZOOKEEPER_QUORUM))) {
      zk.create().creatingParentsIfNeeded().forPath(znode, CONTENT);
    }
    assertTrue(LocalClusterControl.stop(dataDir, STOP_TIMEOUT).wasRunning());

    LocalClusterControl.start(dataDir, confFile, START_TIMEOUT);
    Configuration second = load(confFile);
    try (FileSystem fs = FileSystem.newInstance(second);
         FSDataInputStream in = fs.open(file)) {
      assertArrayEquals(CONTENT, in.readAllBytes());
    }
    try (CuratorFramework zk = connect(second.get(SpoolConfig.ZOOKEEPER_QUORUM))) {
      assertArrayEquals(CONTENT, zk.getData().forPath(znode));
    }
  }

  @Test
  void startThatFailsReportsTheErrorAndTheDaemonLog() throws Exception {
    Files.createDirectories(dataDir);
    Files.writeString(dataDir.resolve("zookeeper"), "a file where ZooKeeper's directory belongs");

    IOException error = assertThrows(IOException.class,
        () -> LocalClusterControl.start(dataDir, confFile, START_TIMEOUT));

    assertTrue(error.getMessage().contains("FileAlreadyExistsException"), error.getMessage());
    assertTrue(error.getMessage().contains(DaemonFiles.LOG_FILE), error.getMessage());
    assertTrue(error.getMessage().contains("Embedded cluster failed to start"), error.getMessage());
    assertFalse(LocalClusterControl.status(dataDir).running());
    assertFalse(Files.exists(confFile));
  }

  @Test
  void pidFileNamingAProcessThatIsNoDaemonIsNotRunning() throws Exception {
    Files.createDirectories(dataDir);
    Files.writeString(dataDir.resolve(DaemonFiles.PID_FILE), Long.toString(ProcessHandle.current().pid()));

    assertFalse(LocalClusterControl.status(dataDir).running());
    StopResult stopped = LocalClusterControl.stop(dataDir, STOP_TIMEOUT);
    assertFalse(stopped.wasRunning());
    assertFalse(Files.exists(dataDir.resolve(DaemonFiles.PID_FILE)));
  }

  private static Configuration load(Path file) {
    Configuration conf = new Configuration();
    conf.addResource(new org.apache.hadoop.fs.Path(file.toUri()));
    return conf;
  }

  private static CuratorFramework connect(String quorum) throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.newClient(quorum, new RetryOneTime(100));
    client.start();
    assertTrue(client.blockUntilConnected(30, TimeUnit.SECONDS), "not connected to ZooKeeper at " + quorum);
    return client;
  }
}
