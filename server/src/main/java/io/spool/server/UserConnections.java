package io.spool.server;

import io.spool.client.Spool;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.security.PrivilegedExceptionAction;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster connection per user the server acts for, made on first use and kept until the server closes. A user
 * other than the server's own is a Hadoop proxy user of the server's login ({@code hadoop.proxyuser.<server
 * user>.hosts/groups} must allow it), so files are created as that user and per-user directories stay 0700.
 */
final class UserConnections implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(UserConnections.class);

  /** A user's identity and connection. */
  record Connection(UserGroupInformation ugi, Spool spool) {

    /** Runs {@code action} as the user. */
    <T> T as(PrivilegedExceptionAction<T> action) throws Exception {
      try {
        return ugi.doAs(action);
      } catch (UndeclaredThrowableException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }

  private final Configuration conf;
  private final UserGroupInformation server;
  private final Map<String, Connection> byUser = new ConcurrentHashMap<>();

  UserConnections(Configuration conf) throws IOException {
    this.conf = conf;
    this.server = UserGroupInformation.getCurrentUser();
  }

  /** The server's own user. */
  String serverUser() {
    return server.getShortUserName();
  }

  /** The connection of {@code user}, connecting on first use. */
  Connection of(String user) {
    return byUser.computeIfAbsent(user, this::connect);
  }

  private Connection connect(String user) {
    UserGroupInformation ugi = user.equals(server.getShortUserName()) ? server
        : UserGroupInformation.createProxyUser(user, server);
    try {
      return new Connection(ugi, ugi.doAs((PrivilegedExceptionAction<Spool>) () -> Spool.connect(conf)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to the cluster as " + user + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting as " + user, e);
    }
  }

  @Override
  public void close() {
    for (Map.Entry<String, Connection> e : byUser.entrySet()) {
      try {
        e.getValue().spool().close();
      } catch (RuntimeException failed) {
        LOG.warn("Closing the connection of {} failed", e.getKey(), failed);
      }
    }
    byUser.clear();
  }
}
