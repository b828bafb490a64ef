package io.spool.appmaster;

import io.spool.core.channel.ChannelSecret;
import io.spool.runner.ExecutorMain;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.client.api.NMClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts executor containers on a small thread pool: the runner's JVM from the distribution jar, with the bundle
 * localized as an archive and the channel secret in the container's credentials.
 */
final class ExecutorLauncher implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorLauncher.class);

  private final NMClient nm;
  private final ContainerLaunchContext template;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "executor-launcher");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param resources the distribution jar, the job configuration and the bundle, by localized name
   * @param environment the container environment (CLASSPATH, JAVA_HOME, PATH)
   * @param runnerHeapMb the runner JVM's heap
   * @param masterHost where executors reach this master
   * @param masterPort its channel port
   * @param secret the channel secret
   */
  ExecutorLauncher(Configuration conf, Map<String, LocalResource> resources, Map<String, String> environment,
      int runnerHeapMb, String masterHost, int masterPort, byte[] secret) throws IOException {
    this.nm = NMClient.createNMClient();
    this.nm.init(conf);
    this.nm.start();
    Credentials credentials = new Credentials();
    credentials.addSecretKey(ChannelSecret.ALIAS, secret);
    DataOutputBuffer tokens = new DataOutputBuffer();
    credentials.writeTokenStorageToStream(tokens);
    String command = ApplicationConstants.Environment.JAVA_HOME.$$() + "/bin/java"
        + " -Xmx" + runnerHeapMb + "m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
        + ApplicationConstants.JVM_ADD_OPENS_VAR
        + " " + ExecutorMain.class.getName() + " " + masterHost + " " + masterPort
        + " 1>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stdout"
        + " 2>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stderr";
    this.template = ContainerLaunchContext.newInstance(resources, environment, List.of(command), null,
        ByteBuffer.wrap(tokens.getData(), 0, tokens.getLength()), null);
  }

  /** Starts the executor in {@code container}; {@code onFailure} hears of a launch that failed. */
  void launch(Container container, BiConsumer<Container, Exception> onFailure) {
    pool.execute(() -> {
      try {
        ContainerLaunchContext context = ContainerLaunchContext.newInstance(template.getLocalResources(),
            template.getEnvironment(), template.getCommands(), null, template.getTokens().duplicate(), null);
        nm.startContainer(container, context);
        LOG.info("launched executor {} on {}", container.getId(), container.getNodeId());
      } catch (Exception e) {
        LOG.warn("launching executor {} failed", container.getId(), e);
        onFailure.accept(container, e);
      }
    });
  }

  @Override
  public void close() {
    pool.shutdownNow();
    nm.stop();
  }
}
