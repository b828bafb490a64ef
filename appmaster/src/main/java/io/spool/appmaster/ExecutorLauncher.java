package io.spool.appmaster;

import io.spool.core.channel.ChannelSecret;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.security.token.TokenIdentifier;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.client.api.NMClient;
import org.apache.hadoop.yarn.security.AMRMTokenIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts this master's containers (executors and the build) on a small thread pool, each with the channel secret in
 * its credentials.
 */
final class ExecutorLauncher implements Allocator.Launcher, Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorLauncher.class);

  private final NMClient nm;
  private final byte[] secret;
  private final UserGroupInformation user;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "container-launcher");
    t.setDaemon(true);
    return t;
  });

  /** Launches containers with the delegation tokens of the current user (the function's owner), as they are then. */
  ExecutorLauncher(Configuration conf, byte[] secret) throws IOException {
    this.nm = NMClient.createNMClient();
    this.nm.init(conf);
    this.nm.start();
    this.secret = secret;
    this.user = UserGroupInformation.getCurrentUser();
  }

  /**
   * What a container of this master gets in its YARN Credentials: the channel secret and this master's delegation
   * tokens as they are now (HDFS's, where the cluster has Kerberos; fresh ones after the master renewed them) — not
   * the master's own ResourceManager token, nor the owner's ZooKeeper secret.
   */
  private ByteBuffer tokens() throws IOException {
    Credentials credentials = new Credentials();
    for (Token<? extends TokenIdentifier> token : user.getCredentials().getAllTokens()) {
      if (!AMRMTokenIdentifier.KIND_NAME.equals(token.getKind())) {
        credentials.addToken(token.getService(), token);
      }
    }
    credentials.addSecretKey(ChannelSecret.ALIAS, secret);
    DataOutputBuffer buffer = new DataOutputBuffer();
    credentials.writeTokenStorageToStream(buffer);
    return ByteBuffer.wrap(buffer.getData(), 0, buffer.getLength());
  }

  @Override
  public void launch(Container container, LaunchSpec spec, BiConsumer<Container, Exception> onFailure) {
    pool.execute(() -> {
      try {
        ContainerLaunchContext context = ContainerLaunchContext.newInstance(spec.resources(), spec.environment(),
            List.of(spec.command()), null, tokens(), null);
        nm.startContainer(container, context);
        LOG.info("launched {} on {}", container.getId(), container.getNodeId());
      } catch (Exception e) {
        LOG.warn("launching {} failed", container.getId(), e);
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
