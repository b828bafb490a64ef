package io.spool.local;

import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeys;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacitySchedulerConfiguration;
import org.apache.hadoop.yarn.util.resource.DominantResourceCalculator;

/** The Hadoop settings of the embedded HDFS and YARN: sizes, scheduler, and NodeManager timings. */
final class MiniClusterSettings {

  /** Memory the one NodeManager offers, MiB; also the scheduler's maximum allocation. */
  static final int NODE_MEMORY_MB = 8192;
  /** Virtual cores the one NodeManager offers; also the scheduler's maximum allocation. */
  static final int NODE_VCORES = 8;
  /** The highest application priority that the embedded cluster honours (a function's priority is capped to it). */
  static final int MAXIMUM_APPLICATION_PRIORITY = 10;
  /** Smallest container the scheduler hands out, MiB. */
  static final int MINIMUM_ALLOCATION_MB = 64;
  /**
   * Share of the cluster that application masters may hold. The test jar's capacity-scheduler.xml says 0.1,
   * which on this cluster admits one 512 MiB function master at a time.
   */
  static final float MAXIMUM_AM_RESOURCE_PERCENT = 0.5f;

  /** The NameNode's directory under the HDFS directory. */
  static final String NAME_DIR = "name";
  /** The DataNode's directory under the HDFS directory. */
  static final String DATA_DIR = "data";
  /** MiniDFSCluster's base directory under the HDFS directory: scratch, deleted when the JVM exits. */
  static final String MINI_DFS_SCRATCH_DIR = "minicluster";

  private MiniClusterSettings() {}

  /**
   * HDFS keeping its name and data directories under {@code hdfsDir}. They are outside MiniDFSCluster's own base
   * directory because its {@code shutdown()} marks everything under that directory for deletion at JVM exit.
   */
  static Configuration hdfs(Path hdfsDir, Path tmpDir, String serviceUser) {
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsDir.resolve(MINI_DFS_SCRATCH_DIR).toString());
    conf.set(DFSConfigKeys.DFS_NAMENODE_NAME_DIR_KEY, hdfsDir.resolve(NAME_DIR).toUri().toString());
    conf.set(DFSConfigKeys.DFS_DATANODE_DATA_DIR_KEY, hdfsDir.resolve(DATA_DIR).toUri().toString());
    conf.set(CommonConfigurationKeys.HADOOP_TMP_DIR, tmpDir.toString());
    allowProxyUsers(conf, serviceUser);
    return conf;
  }

  /**
   * Lets the user the daemons run as act for any other (Hadoop's proxy users), as the Spool server does for the
   * user each request names.
   */
  static void allowProxyUsers(Configuration conf, String serviceUser) {
    conf.set("hadoop.proxyuser." + serviceUser + ".hosts", "*");
    conf.set("hadoop.proxyuser." + serviceUser + ".groups", "*");
  }

  /** YARN with one 8 GiB / 8-vcore NodeManager whose containers use {@code defaultFs}. */
  static YarnConfiguration yarn(URI defaultFs, Path tmpDir, String serviceUser) {
    YarnConfiguration conf = new YarnConfiguration();
    conf.set(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY, defaultFs.toString());
    conf.set(CommonConfigurationKeys.HADOOP_TMP_DIR, tmpDir.toString());
    allowProxyUsers(conf, serviceUser);

    conf.setInt(YarnConfiguration.NM_PMEM_MB, NODE_MEMORY_MB);
    conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, NODE_MEMORY_MB);
    conf.setInt(YarnConfiguration.NM_VCORES, NODE_VCORES);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, MINIMUM_ALLOCATION_MB);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, NODE_MEMORY_MB);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES, NODE_VCORES);
    // YARN's default cluster maximum is 0, which would flatten every function's priority
    conf.setInt(YarnConfiguration.MAX_CLUSTER_LEVEL_APPLICATION_PRIORITY, MAXIMUM_APPLICATION_PRIORITY);
    conf.set(CapacitySchedulerConfiguration.RESOURCE_CALCULATOR_CLASS, DominantResourceCalculator.class.getName());
    conf.setFloat(CapacitySchedulerConfiguration.MAXIMUM_APPLICATION_MASTERS_RESOURCE_PERCENT,
        MAXIMUM_AM_RESOURCE_PERCENT);

    // MiniYARNCluster turns container monitoring off unless told that the test controls it
    conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_CONTROL_RESOURCE_MONITORING, true);
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);

    conf.setLong(YarnConfiguration.NM_LOG_RETAIN_SECONDS, 1);
    conf.setLong(YarnConfiguration.NM_PROCESS_KILL_WAIT_MS, 500);
    conf.setLong(YarnConfiguration.NM_SLEEP_DELAY_BEFORE_SIGKILL_MS, 100);
    conf.setInt(YarnConfiguration.DEBUG_NM_DELETE_DELAY_SEC, 0);

    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.5f);
    conf.setLong(YarnConfiguration.NM_MIN_PER_DISK_FREE_SPACE_MB, 1);
    conf.setLong(YarnConfiguration.NM_WM_HIGH_PER_DISK_FREE_SPACE_MB, 1);
    return conf;
  }
}
