package io.spool.it;

import io.spool.core.config.SpoolConfig;
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

  /** The path of a test resource under {@code /python/}, e.g. {@code results.py}. */
  static String python(String file) {
    try {
      return Paths.get(TestSetup.class.getResource("/python/" + file).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
