package io.spool.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.config.Images;
import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.NodeReport;
import org.apache.hadoop.yarn.api.records.NodeState;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler;
import org.apache.hadoop.yarn.util.resource.DominantResourceCalculator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SpoolClusterExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddedClusterTest {

  private static final byte[] CONTENT = "spool embedded cluster".getBytes(StandardCharsets.UTF_8);

  @Test
  void fileWrittenThroughClientConfigurationIsReadBack(Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path("/tests/embedded-cluster/" + UUID.randomUUID());
    try (FileSystem fs = FileSystem.newInstance(conf)) {
      assertEquals(URI.create(conf.get(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY)), fs.getUri());
      try (FSDataOutputStream out = fs.create(file)) {
        out.write(CONTENT);
      }
      try (FSDataInputStream in = fs.open(file)) {
        assertArrayEquals(CONTENT, in.readAllBytes());
      }
      assertEquals(1, fs.getFileStatus(file).getReplication());
    }
  }

  @Test
  void znodeCreatedThroughConfiguredQuorumIsReadBack(Configuration conf) throws Exception {
    String path = "/tests/embedded-cluster/" + UUID.randomUUID();
    try (CuratorFramework client =
             CuratorFrameworkFactory.newClient(conf.get(SpoolConfig.ZOOKEEPER_QUORUM), new RetryOneTime(100))) {
      client.start();
      assertTrue(client.blockUntilConnected(30, TimeUnit.SECONDS), "not connected to ZooKeeper");
      client.create().creatingParentsIfNeeded().forPath(path, CONTENT);
      assertArrayEquals(CONTENT, client.getData().forPath(path));
    }
  }

  @Test
  void yarnClientSeesOneRunningNodeManagerWith8GibAnd8Vcores(Configuration conf) throws Exception {
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(new YarnConfiguration(conf));
      yarn.start();
      List<NodeReport> nodes = yarn.getNodeReports(NodeState.RUNNING);
      assertEquals(1, nodes.size(), nodes::toString);
      Resource capability = nodes.get(0).getCapability();
      assertEquals(8192, capability.getMemorySize());
      assertEquals(8, capability.getVirtualCores());
    }
  }

  @Test
  void schedulerWeighsVcoresAndAllowsContainersUpToAWholeNode(EmbeddedCluster cluster, Configuration conf) {
    ResourceScheduler scheduler = cluster.miniYarn().getResourceManager().getResourceScheduler();
    CapacityScheduler capacityScheduler = assertInstanceOf(CapacityScheduler.class, scheduler);
    assertInstanceOf(DominantResourceCalculator.class, capacityScheduler.getResourceCalculator());
    Resource maximum = scheduler.getMaximumResourceCapability();
    assertEquals(8192, maximum.getMemorySize());
    assertEquals(8, maximum.getVirtualCores());
    assertEquals(8192, conf.getInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, -1));
    assertEquals(8, conf.getInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES, -1));
  }

  @Test
  void applicationClasspathCarriesHadoopJarsOfThisJvm(Configuration conf) {
    String[] entries = conf.getStrings(YarnConfiguration.YARN_APPLICATION_CLASSPATH);
    assertNotNull(entries, "yarn.application.classpath is empty");
    assertTrue(entries.length > 0, "yarn.application.classpath is empty");
    assertTrue(Arrays.stream(entries).anyMatch(entry -> entry.contains("hadoop-yarn-api")),
        () -> "no hadoop-yarn-api jar in " + Arrays.toString(entries));
  }

  @Test
  void defaultImageInterpreterIsAnAbsolutePythonOfThatVersion(Configuration conf) throws Exception {
    String image = conf.get(SpoolConfig.IMAGE_DEFAULT);
    assertTrue(image.matches("python3\\.\\d+"), image);
    String interpreter = Images.resolve(conf, image).interpreter();
    Path path = Paths.get(interpreter);
    assertTrue(path.isAbsolute(), interpreter);
    assertTrue(Files.isExecutable(path), interpreter);
    Process probe = new ProcessBuilder(interpreter, "-c", "import sys; print('python%d.%d' % sys.version_info[:2])")
        .redirectErrorStream(true).start();
    String reported = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
    assertEquals(image, reported);
  }

  @Test
  void writtenClientConfigurationHoldsOnlyTheClientSettings(EmbeddedCluster cluster, @TempDir Path dir)
      throws IOException {
    Path file = cluster.writeClientConfiguration(dir.resolve("conf").resolve(SpoolConfig.SITE_FILE));
    Configuration written = new Configuration(false);
    written.addResource(new org.apache.hadoop.fs.Path(file.toUri()));
    Configuration client = cluster.clientConfiguration();
    for (Map.Entry<String, String> entry : written) {
      assertEquals(client.get(entry.getKey()), entry.getValue(), entry.getKey());
    }
    assertEquals(cluster.zookeeperConnect(), written.get(SpoolConfig.ZOOKEEPER_QUORUM));
    assertEquals(System.getProperty("java.home"), written.get(SpoolConfig.CONTAINER_JAVA_HOME));
    assertEquals(client.get(YarnConfiguration.RM_ADDRESS), written.get(YarnConfiguration.RM_ADDRESS));
    assertNull(written.get("hadoop.tmp.dir"), "Hadoop's defaults were written too");
    assertTrue(written.size() < 30, () -> written.size() + " keys written");
  }

  @Test
  void clientConfigurationNamesTheDistributionJarByAbsolutePath(Configuration conf) {
    String distJar = conf.get(SpoolConfig.DIST_JAR, "");
    assertTrue(Paths.get(distJar).isAbsolute(), () -> "spool.dist.jar is '" + distJar + "'");
  }
}
