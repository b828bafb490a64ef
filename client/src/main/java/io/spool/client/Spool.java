package io.spool.client;

import io.spool.client.internal.KerberosLogin;
import io.spool.client.internal.MasterStarter;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.blob.UserSecrets;
import io.spool.core.config.SpoolConfig;
import io.spool.core.state.StateIdentity;
import io.spool.core.state.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

  private final Configuration conf;
  private final StateStore store;
  private final BlobStore blobs;
  private final ResultStore results;
  private final LogStore logs;
  /** The ResourceManager's client and the master starter on it, made on first use: many commands never need them. */
  private YarnClient yarn;
  private MasterStarter masters;
  private static final int IO_THREADS = 8;

  private final String user;
  private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ExecutorService> ioPool =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final java.util.Map<Class<?>, ResultDeserializer<?>> deserializers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Spool(Configuration conf) throws IOException {
    this.conf = conf;
    KerberosLogin.ensure(conf);
    this.user = UserGroupInformation.getCurrentUser().getShortUserName();
    // a file system of its own: the application this client runs in may close Hadoop's shared one
    this.blobs = BlobStore.openPrivate(conf);
    this.results = ResultStore.on(blobs);
    this.logs = LogStore.on(blobs);
    try {
      this.store = StateStore.builder().configuration(conf).identity(identity(conf, blobs, user)).build();
      this.store.start();
    } catch (IOException | RuntimeException e) {
      closeQuietly(blobs);
      throw e;
    }
  }

  /**
   * Whom a user's connections act as in ZooKeeper: the user with their Spool secret (made on their first
   * connection); null where {@link SpoolConfig#ZOOKEEPER_ACLS} is off.
   */
  public static StateIdentity identity(Configuration conf, BlobStore blobs, String user) throws IOException {
    if (!conf.getBoolean(SpoolConfig.ZOOKEEPER_ACLS, SpoolConfig.ZOOKEEPER_ACLS_DEFAULT)) {
      return null;
    }
    return new StateIdentity(user, UserSecrets.readOrCreate(blobs, user));
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

  /**
   * Registers how results of {@code type} are read from their bytes (for {@link Job#result(Class)},
   * {@link Function#iterResults(Class)} and {@link Blob#value(Class)}); replaces an earlier registration.
   */
  public <T> Spool registerDeserializer(Class<T> type, ResultDeserializer<T> deserializer) {
    deserializers.put(type, deserializer);
    return this;
  }

  @SuppressWarnings("unchecked")
  <T> ResultDeserializer<T> deserializer(Class<T> type) {
    return (ResultDeserializer<T>) deserializers.get(type);
  }

  /** Threads for reading blobs ahead of a consumer (daemon threads, made on first use, stopped by close()). */
  java.util.concurrent.ExecutorService ioPool() {
    java.util.concurrent.ExecutorService pool = ioPool.get();
    if (pool == null) {
      java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
      pool = java.util.concurrent.Executors.newFixedThreadPool(IO_THREADS, r -> {
        Thread t = new Thread(r, "spool-io-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      if (!ioPool.compareAndSet(null, pool)) {
        pool.shutdown();
        pool = ioPool.get();
      }
    }
    return pool;
  }

  StateStore store() {
    return store;
  }

  BlobStore blobs() {
    return blobs;
  }

  ResultStore results() {
    return results;
  }

  LogStore logs() {
    return logs;
  }

  synchronized MasterStarter masters() {
    if (masters == null) {
      masters = new MasterStarter(conf, store, blobs, this::yarn);
    }
    return masters;
  }

  /** The ResourceManager's client, made on first use (by the caller's user, whom its calls then act as). */
  private synchronized YarnClient yarn() {
    if (yarn == null) {
      YarnClient client = YarnClient.createYarnClient();
      client.init(conf);
      client.start();
      yarn = client;
    }
    return yarn;
  }

  @Override
  public void close() {
    java.util.concurrent.ExecutorService pool = ioPool.getAndSet(null);
    if (pool != null) {
      pool.shutdownNow();
    }
    YarnClient client;
    synchronized (this) {
      client = yarn;
    }
    try {
      if (client != null) {
        client.stop();
      }
    } finally {
      closeQuietly(blobs);
      store.close();
    }
  }

  private static void closeQuietly(BlobStore blobs) {
    try {
      blobs.fileSystem().close();
    } catch (IOException e) {
      LOG.warn("closing the client's file system failed", e);
    }
  }
}
