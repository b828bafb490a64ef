package io.spool.bench;

import io.spool.core.config.SpoolConfig;
import io.spool.core.state.StateStore;
import java.lang.reflect.Field;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.hdfs.server.namenode.metrics.NameNodeMetrics;
import org.apache.hadoop.metrics2.lib.MutableCounterLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;

/**
 * What the embedded cluster in this JVM has done so far: files the NameNode created and file operations it served
 * (its metrics, read from the NameNode itself: their JMX view is a cache refreshed every few seconds), and
 * ZooKeeper's write transactions (a multi-op counts once). ZooKeeper numbers every write transaction (zxid): a probe
 * creates and deletes a node and reads the number it was given.
 *
 * @param filesCreated the NameNode's {@code FilesCreated}
 * @param nameNodeCalls the NameNode's file operations (creates, opens, listings, deletes, status, blocks...)
 * @param zxid the zxid of this probe's create
 */
record ClusterCounters(long filesCreated, long nameNodeCalls, long zxid) {

  /** The counters now; empty where this JVM hosts no NameNode. */
  static Optional<ClusterCounters> take(Configuration conf) throws Exception {
    NameNodeMetrics metrics = NameNode.getNameNodeMetrics();
    if (metrics == null) {
      return Optional.empty();
    }
    Field filesCreated = NameNodeMetrics.class.getDeclaredField("filesCreated");
    filesCreated.setAccessible(true);
    long files = ((MutableCounterLong) filesCreated.get(metrics)).value();
    return Optional.of(new ClusterCounters(files, metrics.totalFileOps(), zxid(conf)));
  }

  private static long zxid(Configuration conf) throws Exception {
    try (StateStore store = StateStore.builder().configuration(conf).build()) {
      store.start();
      String root = conf.get(SpoolConfig.ZOOKEEPER_ROOT, SpoolConfig.ZOOKEEPER_ROOT_DEFAULT);
      Stat stat = new Stat();
      String probe = store.curator().create().storingStatIn(stat).withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(root + "/bench-probe-");
      store.curator().delete().forPath(probe);
      return stat.getCzxid();
    }
  }

  /**
   * Per job, what happened between {@code before} and this: HDFS files created, NameNode file operations and
   * ZooKeeper write transactions (those strictly between the two probes' creates, less the probes' own: the first
   * one's delete and session end, the second one's session).
   */
  double[] perJobSince(ClusterCounters before, int jobs) {
    long writes = zxid - before.zxid - 1 - 3;
    return new double[] {
        (double) (filesCreated - before.filesCreated) / jobs,
        (double) (nameNodeCalls - before.nameNodeCalls) / jobs,
        (double) Math.max(0, writes) / jobs};
  }
}
