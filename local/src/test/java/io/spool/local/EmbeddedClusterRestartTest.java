package io.spool.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts its own clusters: the shared one cannot be restarted. */
class EmbeddedClusterRestartTest {

  private static final byte[] CONTENT = "survives a restart".getBytes(StandardCharsets.UTF_8);
  private static final org.apache.hadoop.fs.Path FILE = new org.apache.hadoop.fs.Path("/tests/restart/file");
  private static final String ZNODE = "/tests/restart/znode";

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void hdfsFilesAndZnodesSurviveARestartOnTheSameDirectory(@TempDir Path dataDir) throws Exception {
    try (EmbeddedCluster first = EmbeddedCluster.start(dataDir)) {
      try (FileSystem fs = FileSystem.newInstance(first.clientConfiguration());
           FSDataOutputStream out = fs.create(FILE)) {
        out.write(CONTENT);
      }
      try (CuratorFramework zk = connect(first.zookeeperConnect())) {
        zk.create().creatingParentsIfNeeded().forPath(ZNODE, CONTENT);
      }
    }
    try (EmbeddedCluster second = EmbeddedCluster.start(dataDir)) {
      try (FileSystem fs = FileSystem.newInstance(second.clientConfiguration());
           FSDataInputStream in = fs.open(FILE)) {
        assertArrayEquals(CONTENT, in.readAllBytes());
      }
      try (CuratorFramework zk = connect(second.zookeeperConnect())) {
        assertArrayEquals(CONTENT, zk.getData().forPath(ZNODE));
      }
    }
  }

  private static CuratorFramework connect(String quorum) throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.newClient(quorum, new RetryOneTime(100));
    client.start();
    assertTrue(client.blockUntilConnected(30, TimeUnit.SECONDS), "not connected to ZooKeeper at " + quorum);
    return client;
  }
}
