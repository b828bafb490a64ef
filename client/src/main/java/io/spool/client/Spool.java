package io.spool.client;

import io.spool.client.internal.MasterStarter;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.state.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.client.api.YarnClient;

/**
 * A connection to a cluster's Spool: its ZooKeeper state, its file system and its ResourceManager. Thread-safe;
 * close it when done.
 *
 * <pre>{@code
 * try (Spool spool = Spool.connect()) {
 *   Function hello = Function.builder(spool, "examples/hello/hello.py:hello").memory("512Mi").build();
 *   hello.save();
 *   Job job = hello.call(5);
 *   job.waitForCompletion(Duration.ofMinutes(2));
 *   System.out.println(job.result());
 * }
 * }</pre>
 */
public final class Spool implements AutoCloseable {

  private final Configuration conf;
  private final StateStore store;
  private final BlobStore blobs;
  private final YarnClient yarn;
  private final MasterStarter masters;
  private final String user;

  private Spool(Configuration conf) throws IOException {
    this.conf = conf;
    this.user = UserGroupInformation.getCurrentUser().getShortUserName();
    this.store = StateStore.builder().configuration(conf).build();
    this.store.start();
    try {
      this.blobs = BlobStore.open(conf);
      this.yarn = YarnClient.createYarnClient();
      this.yarn.init(conf);
      this.yarn.start();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    this.masters = new MasterStarter(conf, store, blobs, yarn);
  }

  /** Connects with the configuration found without flags ({@code $SPOOL_CONF_DIR} or {@code ~/.spool/conf}). */
  public static Spool connect() {
    return connect(SpoolConfig.load());
  }

  /** Connects with the given configuration (Hadoop's keys and Spool's). */
  public static Spool connect(Configuration conf) {
    try {
      return new Spool(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to the cluster: " + e.getMessage(), e);
    }
  }

  public Configuration configuration() {
    return conf;
  }

  /** The user that functions created through this connection belong to. */
  public String user() {
    return user;
  }

  StateStore store() {
    return store;
  }

  BlobStore blobs() {
    return blobs;
  }

  MasterStarter masters() {
    return masters;
  }

  @Override
  public void close() {
    try {
      yarn.stop();
    } finally {
      store.close();
    }
  }
}
