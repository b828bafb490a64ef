package io.spool.local;

import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.server.SpoolServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.ResourceManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper, HDFS and YARN running in this JVM, with their data under one directory, and the client configuration
 * that reaches them. HDFS files and ZooKeeper state survive a restart on the same directory; YARN starts afresh.
 */
public final class EmbeddedCluster implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

  /** Longest wait for the ResourceManager to serve and the NodeManager to register, and for HDFS to leave safe mode. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  /** Longest wait for each of YARN, HDFS and ZooKeeper to stop. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** MiniYARNCluster puts its work directory under the directory this system property names. */
  private static final String TEST_DATA_DIR_PROPERTY = "test.build.data";
  private static final Object TEST_DATA_DIR_LOCK = new Object();
  private static final String YARN_CLUSTER_NAME = "spool";
  /** Where the embedded cluster's Spool server listens (the next free port if this one is taken). */
  static final String SERVER_ADDRESS = "127.0.0.1:8770";

  private final Path dataDir;
  private final AtomicBoolean closed = new AtomicBoolean();
  private TestingServer zookeeper;
  private MiniDFSCluster miniDfs;
  private MiniYARNCluster miniYarn;
  private Map<String, String> clientSettings = Map.of();
  private SpoolServer server;

  private EmbeddedCluster(Path dataDir) {
    this.dataDir = dataDir;
  }

  /**
   * Starts ZooKeeper, HDFS and YARN with their data under {@code dataDir} and returns once the ResourceManager
   * serves and the NodeManager has registered. Fails before starting anything if no Python 3 can be found.
   */
  public static EmbeddedCluster start(Path dataDir) throws IOException {
    return start(dataDir, ClusterSecurity.NONE);
  }

  /** As {@link #start(Path)}, secured as {@code security} says (e.g. with Kerberos). */
  public static EmbeddedCluster start(Path dataDir, ClusterSecurity security) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    PythonInterpreter python = PythonInterpreter.resolve(System.getenv());
    JulLevels.apply();
    long started = System.nanoTime();
    EmbeddedCluster cluster = new EmbeddedCluster(dir);
    try {
      cluster.zookeeper = startZooKeeper(dir.resolve("zookeeper"), security);
      cluster.miniDfs = startHdfs(dir.resolve("hdfs"), dir.resolve("tmp"), security);
      cluster.miniYarn = startYarn(dir.resolve("yarn"), cluster.miniDfs.getURI(), dir.resolve("tmp"), security);
      Map<String, String> settings = new LinkedHashMap<>(
          ClientSettings.of(cluster.miniDfs, cluster.miniYarn, cluster.zookeeperConnect(), python));
      settings.putAll(security.clientSettings());
      cluster.clientSettings = settings;
      cluster.makeSharedDirectories();
      cluster.server = startServer(cluster.clientConfiguration());
      settings.put(SpoolConfig.SERVER_URL, cluster.server.uri().toString());
      cluster.clientSettings = Collections.unmodifiableMap(settings);
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    LOG.info("Embedded cluster started in {} ms under {}: ZooKeeper {}, HDFS {}, ResourceManager {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dir, cluster.zookeeperConnect(),
        cluster.clientSettings.get(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY),
        cluster.clientSettings.get(YarnConfiguration.RM_ADDRESS));
    LOG.info("Spool server at {}ui/", cluster.server.uri());
    return cluster;
  }

  /**
   * Starts the Spool server on {@value #SERVER_ADDRESS} (on a free port if that one is taken), acting for the user
   * who started the cluster when a request names none. It listens on this machine only: whoever reaches it can
   * run code as that user.
   */
  private static SpoolServer startServer(Configuration conf) throws IOException {
    conf.set(SpoolConfig.SERVER_DEFAULT_USER, UserGroupInformation.getCurrentUser().getShortUserName());
    InetSocketAddress address = NetUtils.createSocketAddr(SERVER_ADDRESS);
    try {
      return SpoolServer.start(conf, address);
    } catch (IOException taken) {
      LOG.info("Port {} is taken ({}); the Spool server takes a free one", address.getPort(), taken.getMessage());
      return SpoolServer.start(conf, new InetSocketAddress(address.getAddress(), 0));
    }
  }

  /**
   * Makes Spool's shared directories (every user's directory; the built environments; the distribution jars)
   * world-writable with the sticky bit, as {@code /tmp} is, so that every user the Spool server acts for (a proxy
   * user) can make their own 0700 directory and share the environments and jars.
   */
  private void makeSharedDirectories() throws IOException {
    String root = clientConfiguration().getTrimmed(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT);
    FileSystem fs = miniDfs.getFileSystem();
    for (String shared : new String[] {BlobStore.USERS, BlobStore.ENVS, BlobStore.LIB}) {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root, shared);
      fs.mkdirs(dir);
      fs.setPermission(dir, new FsPermission((short) 01777));
    }
  }

  /** The Spool server (REST API and UI) that runs with the cluster. */
  public SpoolServer server() {
    return server;
  }

  /** A fresh configuration (Hadoop's defaults plus the client settings) for reaching this cluster. */
  public Configuration clientConfiguration() {
    Configuration conf = new Configuration();
    clientSettings.forEach(conf::set);
    return conf;
  }

  /**
   * Writes the client settings, and nothing else, as a Hadoop configuration file; replaces {@code file} atomically
   * so that a reader never sees half of it.
   */
  public Path writeClientConfiguration(Path file) throws IOException {
    Configuration conf = new Configuration(false);
    clientSettings.forEach(conf::set);
    Path target = file.toAbsolutePath().normalize();
    AtomicFiles.write(target, conf::writeXml);
    return target;
  }

  /** The running HDFS. */
  public MiniDFSCluster miniDfs() {
    return miniDfs;
  }

  /** The running YARN. */
  public MiniYARNCluster miniYarn() {
    return miniYarn;
  }

  /** The ZooKeeper connect string. */
  /**
   * Stops ZooKeeper and starts it again on the same port and data (sessions survive if it is back within their
   * timeout), as an operator's restart would.
   */
  public void restartZooKeeper() throws Exception {
    zookeeper.restart();
  }

  public String zookeeperConnect() {
    return zookeeper.getConnectString();
  }

  /** The directory under which the cluster keeps its data. */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops YARN, HDFS and then ZooKeeper, each within {@link #STOP_TIMEOUT}; a failure is logged and the rest go on. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    MiniYARNCluster yarn = miniYarn;
    MiniDFSCluster dfs = miniDfs;
    TestingServer zk = zookeeper;
    if (server != null) {
      stopWithin("the Spool server", server::close);
    }
    if (yarn != null) {
      stopWithin("YARN", yarn::stop);
    }
    if (dfs != null) {
      // shutdown(), not close(): close() deletes the base directory at once
      stopWithin("HDFS", dfs::shutdown);
    }
    if (zk != null) {
      stopWithin("ZooKeeper", () -> {
        try {
          zk.close();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  private static TestingServer startZooKeeper(Path zkDir, ClusterSecurity security) throws IOException {
    Files.createDirectories(zkDir);
    Map<String, Object> properties = new LinkedHashMap<>(security.zookeeperProperties());
    // the admin server would bind port 8080 and clash with a second cluster on this host
    properties.put("admin.enableServer", "false");
    InstanceSpec spec = new InstanceSpec(zkDir.toFile(), -1, -1, -1, false, -1, -1, -1, properties);
    try {
      return new TestingServer(spec, true);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while starting ZooKeeper");
    } catch (Exception e) {
      throw new IOException("ZooKeeper did not start in " + zkDir, e);
    }
  }

  private static MiniDFSCluster startHdfs(Path hdfsDir, Path tmpDir, ClusterSecurity security) throws IOException {
    boolean formatted = Files.isRegularFile(
        hdfsDir.resolve(MiniClusterSettings.NAME_DIR).resolve("current").resolve("VERSION"));
    if (!formatted) {
      deleteDirectory(hdfsDir);
    }
    Files.createDirectories(hdfsDir);
    Configuration conf = MiniClusterSettings.hdfs(hdfsDir, tmpDir, security.serviceUser());
    if (!security.daemonSettings().isEmpty()) {
      security.daemonSettings().forEach(conf::set);
      UserGroupInformation.setConfiguration(conf);
    }
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .manageNameDfsDirs(false)
        .manageDataDfsDirs(false)
        .format(!formatted)
        .build();
    try {
      awaitCondition("HDFS to leave safe mode", () -> !dfs.getNameNode().getNamesystem().isInSafeMode());
    } catch (IOException | RuntimeException e) {
      dfs.shutdown();
      throw e;
    }
    return dfs;
  }

  private static MiniYARNCluster startYarn(Path yarnDir, URI defaultFs, Path tmpDir, ClusterSecurity security)
      throws IOException {
    deleteDirectory(yarnDir);
    Files.createDirectories(yarnDir);
    MiniYARNCluster yarn = newMiniYarnCluster(yarnDir);
    Configuration conf = MiniClusterSettings.yarn(defaultFs, tmpDir, security.serviceUser());
    security.daemonSettings().forEach(conf::set);
    yarn.init(conf);
    yarn.start();
    try {
      awaitCondition("the ResourceManager to bind its addresses", () -> allAddressesBound(yarn));
      awaitCondition("the NodeManager to register", () -> nodeRegistered(yarn));
    } catch (IOException | RuntimeException e) {
      yarn.stop();
      throw e;
    }
    return yarn;
  }

  private static void deleteDirectory(Path dir) throws IOException {
    if (Files.exists(dir) && !FileUtil.fullyDelete(dir.toFile())) {
      throw new IOException("Could not delete " + dir);
    }
  }

  private static MiniYARNCluster newMiniYarnCluster(Path yarnDir) {
    synchronized (TEST_DATA_DIR_LOCK) {
      String previous = System.getProperty(TEST_DATA_DIR_PROPERTY);
      System.setProperty(TEST_DATA_DIR_PROPERTY, yarnDir.toString());
      try {
        return new MiniYARNCluster(YARN_CLUSTER_NAME, 1, 1, 1);
      } finally {
        if (previous == null) {
          System.clearProperty(TEST_DATA_DIR_PROPERTY);
        } else {
          System.setProperty(TEST_DATA_DIR_PROPERTY, previous);
        }
      }
    }
  }

  private static boolean allAddressesBound(MiniYARNCluster yarn) {
    Configuration conf = yarn.getResourceManager().getConfig();
    return Arrays.stream(ClientSettings.RM_ADDRESS_KEYS).map(conf::get)
        .allMatch(address -> address != null && !address.endsWith(":0"));
  }

  private static boolean nodeRegistered(MiniYARNCluster yarn) {
    ResourceManager rm = yarn.getResourceManager();
    Resource total = rm.getResourceScheduler().getClusterResource();
    return rm.getResourceScheduler().getNumClusterNodes() == 1
        && total.getMemorySize() == MiniClusterSettings.NODE_MEMORY_MB
        && total.getVirtualCores() == MiniClusterSettings.NODE_VCORES;
  }

  private interface Check {
    boolean passes() throws IOException;
  }

  private static void awaitCondition(String what, Check check) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!check.passes()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IOException("Timed out after " + READY_TIMEOUT.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for " + what);
      }
    }
  }

  private static void stopWithin(String name, Runnable stop) {
    Thread stopper = new Thread(() -> {
      try {
        stop.run();
      } catch (RuntimeException | Error e) {
        LOG.warn("Stopping embedded {} failed", name, e);
      }
    }, "spool-stop-" + name);
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted while stopping embedded {}; not waiting for it", name);
      return;
    }
    if (stopper.isAlive()) {
      LOG.warn("Embedded {} did not stop within {} s; going on", name, STOP_TIMEOUT.toSeconds());
    }
  }
}
