package io.spool.local;

import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded cluster per test JVM, shared by every test class that uses this extension and closed when the JVM's
 * tests are done. Resolves parameters of type {@link EmbeddedCluster} and {@link Configuration} (the client
 * configuration, with {@link SpoolConfig#DIST_JAR} set from the {@code spool.dist.jar} system property).
 */
public final class SpoolClusterExtension implements BeforeAllCallback, ParameterResolver {

  /** System property, set by surefire, with the path of the distribution jar. */
  public static final String DIST_JAR_PROPERTY = "spool.dist.jar";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SpoolClusterExtension.class);

  private static volatile SharedCluster shared;

  @Override
  public void beforeAll(ExtensionContext context) {
    shared(context);
  }

  /** The shared cluster; the test class must use this extension. */
  public static EmbeddedCluster cluster() {
    SharedCluster current = shared;
    if (current == null) {
      throw new IllegalStateException("No shared embedded cluster: annotate the test class with "
          + "@ExtendWith(SpoolClusterExtension.class)");
    }
    return current.cluster;
  }

  /** A fresh client configuration of the shared cluster, naming the distribution jar. */
  public static Configuration clientConfiguration() {
    Configuration conf = cluster().clientConfiguration();
    String distJar = System.getProperty(DIST_JAR_PROPERTY, "").trim();
    if (!distJar.isEmpty()) {
      conf.set(SpoolConfig.DIST_JAR, Paths.get(distJar).toAbsolutePath().normalize().toString());
    }
    return conf;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == EmbeddedCluster.class || type == Configuration.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    shared(extensionContext);
    return parameterContext.getParameter().getType() == EmbeddedCluster.class ? cluster() : clientConfiguration();
  }

  private static void shared(ExtensionContext context) {
    shared = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedCluster.class, key -> SharedCluster.start(), SharedCluster.class);
  }

  /** The cluster as a resource of the root context, so that JUnit closes it after the last test class. */
  private static final class SharedCluster implements ExtensionContext.Store.CloseableResource {

    private final EmbeddedCluster cluster;

    private SharedCluster(EmbeddedCluster cluster) {
      this.cluster = cluster;
    }

    /** Starts a cluster in a fresh {@code target/embedded-cluster-*} directory of the module. */
    static SharedCluster start() {
      try {
        Path target = Paths.get(System.getProperty("basedir", "."), "target").toAbsolutePath().normalize();
        Files.createDirectories(target);
        return new SharedCluster(EmbeddedCluster.start(Files.createTempDirectory(target, "embedded-cluster-")));
      } catch (IOException e) {
        throw new UncheckedIOException("The shared embedded cluster did not start", e);
      }
    }

    @Override
    public void close() {
      shared = null;
      cluster.close();
    }
  }
}
