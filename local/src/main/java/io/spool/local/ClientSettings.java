package io.spool.local;

import io.spool.core.config.SpoolConfig;
import java.io.File;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/** The settings a client in another JVM needs to reach a running embedded cluster, and nothing else. */
final class ClientSettings {

  /** The ResourceManager addresses a client needs, read back after the RM bound them. */
  static final String[] RM_ADDRESS_KEYS = {
      YarnConfiguration.RM_ADDRESS,
      YarnConfiguration.RM_SCHEDULER_ADDRESS,
      YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
      YarnConfiguration.RM_ADMIN_ADDRESS,
      YarnConfiguration.RM_WEBAPP_ADDRESS,
  };

  private ClientSettings() {}

  /** Key to value, in a stable order. */
  static Map<String, String> of(MiniDFSCluster dfs, MiniYARNCluster yarn, String zookeeperConnect,
      PythonInterpreter python) {
    Configuration rmConf = yarn.getResourceManager().getConfig();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY, dfs.getURI().toString());
    settings.put(DFSConfigKeys.DFS_REPLICATION_KEY, "1");
    String rmAddress = rmConf.get(YarnConfiguration.RM_ADDRESS);
    settings.put(YarnConfiguration.RM_HOSTNAME, rmAddress.substring(0, rmAddress.lastIndexOf(':')));
    for (String key : RM_ADDRESS_KEYS) {
      settings.put(key, rmConf.get(key));
    }
    settings.put(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB,
        String.valueOf(MiniClusterSettings.MINIMUM_ALLOCATION_MB));
    settings.put(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB,
        String.valueOf(MiniClusterSettings.NODE_MEMORY_MB));
    settings.put(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES,
        String.valueOf(MiniClusterSettings.NODE_VCORES));
    settings.put(YarnConfiguration.YARN_APPLICATION_CLASSPATH, applicationClasspath());
    settings.put(SpoolConfig.ZOOKEEPER_QUORUM, zookeeperConnect);
    settings.put(SpoolConfig.CONTAINER_JAVA_HOME, System.getProperty("java.home"));
    settings.put(SpoolConfig.IMAGE_DEFAULT, python.imageName());
    settings.put(SpoolConfig.IMAGE_PREFIX + python.imageName() + SpoolConfig.IMAGE_INTERPRETER_SUFFIX,
        python.executable().toString());
    // builds use pip's own index configuration on this machine; an unreachable index should fail at once, not be
    // retried for minutes (pip's default), since a single machine's mirror is either there or not
    settings.put(SpoolConfig.BUILD_PIP_RETRIES, "0");
    settings.put(SpoolConfig.BUILD_PIP_TIMEOUT, "15");
    settings.putAll(PipSettings.of(python));
    return Collections.unmodifiableMap(settings);
  }

  /** This JVM's own classpath, so that containers find Hadoop's jars (the DistributedShell tests' trick). */
  private static String applicationClasspath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .collect(Collectors.joining(","));
  }
}
