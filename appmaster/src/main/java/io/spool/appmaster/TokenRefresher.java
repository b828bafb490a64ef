package io.spool.appmaster;

import java.io.Closeable;
import java.io.IOException;
import java.security.PrivilegedExceptionAction;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.security.token.TokenIdentifier;
import org.apache.hadoop.security.token.delegation.AbstractDelegationTokenIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the owner's HDFS delegation tokens valid for as long as the master lives, where the client shipped the
 * owner's keytab: YARN renews the tokens the client obtained only up to their maximum lifetime. Before that (at
 * {@value #REFRESH_AT} of the way to the earliest expiry) it logs in from the keytab, obtains new tokens with the
 * owner as their renewer, gives them to the master's user (for its own writes and the containers it launches from
 * now on) and to {@code onRefresh} (which sends them to running executors), and plans the next refresh from when
 * the new ones expire.
 */
final class TokenRefresher implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(TokenRefresher.class);
  /** How far toward a token's expiry the refresh happens. */
  static final double REFRESH_AT = 0.75;
  private static final long RETRY_MS = 30_000;
  private static final long SOONEST_MS = 1_000;

  private final Configuration conf;
  private final UserGroupInformation owner;
  private final String principal;
  private final String keytab;
  private final Consumer<Credentials> onRefresh;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "token-refresher");
    t.setDaemon(true);
    return t;
  });

  TokenRefresher(Configuration conf, UserGroupInformation owner, String principal, String keytab,
      Consumer<Credentials> onRefresh, Clock clock) {
    this.conf = conf;
    this.owner = owner;
    this.principal = principal;
    this.keytab = keytab;
    this.onRefresh = onRefresh;
    this.clock = clock;
  }

  /** Plans the first refresh from the expiry of the tokens the master was given. */
  void start() {
    schedule(delayUntilRefresh(owner.getCredentials(), clock.millis()));
  }

  private void schedule(long delayMs) {
    LOG.info("the owner's delegation tokens will be refreshed in {} s", delayMs / 1000);
    timer.schedule(this::refresh, delayMs, TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    try {
      UserGroupInformation login = UserGroupInformation.loginUserFromKeytabAndReturnUGI(principal, keytab);
      String renewer = login.getShortUserName();
      Credentials fresh = new Credentials();
      long expiry = login.doAs((PrivilegedExceptionAction<Long>) () -> {
        try (FileSystem fs = FileSystem.newInstance(conf)) {
          fs.addDelegationTokens(renewer, fresh);
        }
        long earliest = Long.MAX_VALUE;
        for (Token<? extends TokenIdentifier> token : fresh.getAllTokens()) {
          earliest = Math.min(earliest, token.renew(conf));
        }
        return earliest;
      });
      owner.addCredentials(fresh);
      onRefresh.accept(fresh);
      long now = clock.millis();
      LOG.info("obtained {} fresh delegation tokens as {}; they expire in {} s", fresh.numberOfTokens(), principal,
          (expiry - now) / 1000);
      schedule(Math.max(SOONEST_MS, (long) ((expiry - now) * REFRESH_AT)));
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return;
      }
      LOG.warn("could not obtain fresh delegation tokens as {} from {}; trying again in {} s", principal, keytab,
          RETRY_MS / 1000, e);
      schedule(RETRY_MS);
    }
  }

  /**
   * When to refresh {@code credentials}: at {@link #REFRESH_AT} of the time from their issue to the earliest maximum
   * date of their delegation tokens (YARN renews them until then); at once if none says.
   */
  static long delayUntilRefresh(Credentials credentials, long now) {
    long delay = Long.MAX_VALUE;
    for (Token<? extends TokenIdentifier> token : credentials.getAllTokens()) {
      TokenIdentifier id;
      try {
        id = token.decodeIdentifier();
      } catch (IOException | RuntimeException undecodable) {
        continue;
      }
      if (id instanceof AbstractDelegationTokenIdentifier dt && dt.getMaxDate() > dt.getIssueDate()) {
        long at = dt.getIssueDate() + (long) ((dt.getMaxDate() - dt.getIssueDate()) * REFRESH_AT);
        delay = Math.min(delay, at - now);
      }
    }
    return delay == Long.MAX_VALUE ? 0 : Math.max(0, delay);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
