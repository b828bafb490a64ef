package io.spool.it;

import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.state.StateStore;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;

/** What the integration test classes share: a client configuration with short idle times, and the Python files. */
final class TestSetup {

  private TestSetup() {}

  /**
   * A copy of the cluster's client configuration whose masters exit 15 s and executors 3 s after their last job, so
   * that the functions of one test class do not hold the shared cluster's containers for the next.
   */
  static Configuration quickIdle(Configuration clusterConf) {
    Configuration conf = new Configuration(clusterConf);
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    return conf;
  }

  /**
   * A state store on the cluster's ZooKeeper that acts as the user running the tests (with their Spool secret), so
   * that it reads the nodes of the functions the tests create; started.
   */
  static StateStore store(Configuration conf) throws java.io.IOException {
    return storeAs(conf, System.getProperty("user.name"));
  }

  /** As {@link #store(Configuration)} for {@code user}; call it as that user (their secret is read from HDFS). */
  static StateStore storeAs(Configuration conf, String user) throws java.io.IOException {
    StateStore store = StateStore.builder().configuration(conf)
        .identity(Spool.identity(conf, BlobStore.open(conf), user)).build();
    store.start();
    return store;
  }

  /** Where the cluster's state lives in ZooKeeper. */
  static io.spool.core.state.StateLayout layout(Configuration conf) {
    return new io.spool.core.state.StateLayout(conf.get(SpoolConfig.ZOOKEEPER_ROOT, SpoolConfig.ZOOKEEPER_ROOT_DEFAULT));
  }

  /** The path of a test resource under {@code /python/}, e.g. {@code results.py}. */
  static String python(String file) {
    try {
      return Paths.get(TestSetup.class.getResource("/python/" + file).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
