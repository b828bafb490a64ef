package io.spool.server;

import io.spool.client.Spool;
import io.spool.client.Supervisor;
import io.spool.client.internal.KerberosLogin;
import io.spool.core.config.SpoolConfig;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.servlet.DispatcherType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.security.SecurityUtil;
import org.apache.hadoop.security.authentication.server.AuthenticationFilter;
import org.apache.hadoop.security.authentication.server.KerberosAuthenticationHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spool server: the REST API ({@code /api/v1}) and the web UI ({@code /ui/}) on one Jetty, acting for the user
 * each request names. Start it with {@link #start(Configuration)}; close it to stop.
 *
 * <pre>{@code
 * try (SpoolServer server = SpoolServer.start(SpoolConfig.load())) {
 *   System.out.println(server.uri());   // http://host:8770/
 * }
 * }</pre>
 */
public final class SpoolServer implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(SpoolServer.class);
  private static final int MAX_THREADS = 200;

  private final Server jetty;
  private final UserConnections connections;
  private final Bundles bundles;
  private final ExecutorService followers;
  private final Supervisor supervisor;
  private final URI uri;

  private SpoolServer(Server jetty, UserConnections connections, Bundles bundles, ExecutorService followers,
      Supervisor supervisor, URI uri) {
    this.jetty = jetty;
    this.connections = connections;
    this.bundles = bundles;
    this.followers = followers;
    this.supervisor = supervisor;
    this.uri = uri;
  }

  /** Starts a server on {@code spool.server.address}. */
  public static SpoolServer start(Configuration conf) throws IOException {
    return start(conf, NetUtils.createSocketAddr(conf.getTrimmed(SpoolConfig.SERVER_ADDRESS,
        SpoolConfig.SERVER_ADDRESS_DEFAULT)));
  }

  /** Starts a server on {@code address} (port 0: a free one). */
  public static SpoolServer start(Configuration conf, InetSocketAddress address) throws IOException {
    // on a cluster with Kerberos the server acts for its users as a proxy user: it needs a login of its own
    KerberosLogin.ensure(conf);
    UserConnections connections = new UserConnections(conf);
    Bundles bundles = new Bundles();
    AtomicInteger n = new AtomicInteger();
    ExecutorService followers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "spool-server-log-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Router router = routes(ServerSettings.from(conf), bundles, followers);
    Identity identity = Identity.from(conf);
    Supervisor[] supervisor = new Supervisor[1];
    Api api = new Api(router, identity, connections, () -> supervisor[0] == null ? null : supervisor[0].status());

    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS);
    threads.setName("spool-server");
    threads.setDaemon(true);
    Server jetty = new Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new SpoolServlet(api, new Ui())), "/*");
    if (identity.kerberos()) {
      context.addFilter(spnego(conf, identity, address), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    jetty.setHandler(context);
    jetty.setStopAtShutdown(false);
    try {
      jetty.start();
    } catch (Exception e) {
      release(connections, bundles, followers);
      throw new IOException("the Spool server cannot listen on " + address + ": " + e.getMessage()
          + " (set spool.server.address)", e);
    }
    if (conf.getBoolean(SpoolConfig.SUPERVISOR_ENABLED, SpoolConfig.SUPERVISOR_ENABLED_DEFAULT)) {
      try {
        supervisor[0] = startSupervisor(conf, connections);
      } catch (RuntimeException e) {
        stop(jetty);
        release(connections, bundles, followers);
        throw e;
      }
    }
    String host = address.getAddress() == null || address.getAddress().isAnyLocalAddress()
        ? InetAddress.getLocalHost().getCanonicalHostName() : address.getHostString();
    URI uri = URI.create("http://" + host + ":" + connector.getLocalPort() + "/");
    LOG.info("Spool server at {} (API {}api/v1/, UI {}ui/)", uri, uri, uri);
    return new SpoolServer(jetty, connections, bundles, followers, supervisor[0], uri);
  }

  /** The supervisor: the server's own connection joins the election, each owner's starts that owner's masters. */
  private static Supervisor startSupervisor(Configuration conf, UserConnections connections) {
    return Supervisor.start(conf, connections.of(connections.serverUser()).spool(), new Supervisor.Owners() {
      @Override
      public Spool connection(String owner) {
        return connections.of(owner).spool();
      }

      @Override
      public <T> T as(String owner, Callable<T> call) throws Exception {
        return connections.of(owner).as(call::call);
      }
    });
  }

  /**
   * The SPNEGO filter of a server on a cluster with Kerberos, as {@code spool.server.kerberos.principal} (its
   * {@code _HOST} replaced by this host's name) and {@code spool.server.kerberos.keytab} say.
   */
  private static FilterHolder spnego(Configuration conf, Identity identity, InetSocketAddress address)
      throws IOException {
    String principal = conf.getTrimmed(SpoolConfig.SERVER_KERBEROS_PRINCIPAL,
        SpoolConfig.SERVER_KERBEROS_PRINCIPAL_DEFAULT);
    String keytab = conf.getTrimmed(SpoolConfig.SERVER_KERBEROS_KEYTAB, SpoolConfig.SERVER_KERBEROS_KEYTAB_DEFAULT);
    if (principal.isEmpty() || keytab.isEmpty()) {
      throw new IOException("the cluster uses Kerberos, so the Spool server authenticates its users with SPNEGO: set "
          + SpoolConfig.SERVER_KERBEROS_PRINCIPAL + " (e.g. HTTP/_HOST@YOUR.REALM) and "
          + SpoolConfig.SERVER_KERBEROS_KEYTAB);
    }
    FilterHolder holder = new FilterHolder(new SpnegoFilter(identity.proxyAddresses()));
    holder.setInitParameter(AuthenticationFilter.AUTH_TYPE, KerberosAuthenticationHandler.TYPE);
    holder.setInitParameter(KerberosAuthenticationHandler.PRINCIPAL,
        SecurityUtil.getServerPrincipal(principal, address.getHostString()));
    holder.setInitParameter(KerberosAuthenticationHandler.KEYTAB, keytab);
    holder.setInitParameter(AuthenticationFilter.SIGNER_SECRET_PROVIDER, "random");
    holder.setInitParameter(AuthenticationFilter.COOKIE_PATH, "/");
    return holder;
  }

  private static void stop(Server jetty) {
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.warn("Stopping the Spool server failed", e);
    }
  }

  /** Every route of the API. */
  static Router routes(ServerSettings settings, Bundles bundles, ExecutorService followers) {
    Router router = new Router();
    router.add("GET", "/", "Who the request acts for, and where the API is described", call -> Map.of(
        "api", "v1", "user", call.user(), "openapi", "api/v1/openapi.json"));
    new FunctionRoutes(settings, bundles, new Operations()).register(router);
    new JobRoutes(followers).register(router);
    new BlobRoutes().register(router);
    return router;
  }

  /** The server's base URL, ending with a slash: the UI is at {@code ui/}, the API at {@code api/v1/}. */
  public URI uri() {
    return uri;
  }

  /** The supervisor this server runs, if {@value SpoolConfig#SUPERVISOR_ENABLED}. */
  public Optional<Supervisor> supervisor() {
    return Optional.ofNullable(supervisor);
  }

  @Override
  public void close() {
    if (supervisor != null) {
      supervisor.close();
    }
    stop(jetty);
    release(connections, bundles, followers);
  }

  /** Closes what a server holds besides Jetty and its supervisor: its users' connections, bundles and followers. */
  private static void release(UserConnections connections, Bundles bundles, ExecutorService followers) {
    followers.shutdownNow();
    connections.close();
    bundles.close();
  }
}
