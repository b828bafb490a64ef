package io.spool.appmaster;

import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogPurge;
import io.spool.core.config.SpoolConfig;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges the expired logs of the master's owner on a daemon thread: shortly after the master starts (off its
 * start-up path), then every purge interval. The marker of {@link LogPurge#purgeIfDue} makes the owner's masters
 * purge about once per interval between them. A failed purge is logged and the next one runs as planned.
 */
final class LogPurger implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(LogPurger.class);

  /** How long after the master's start its first purge runs. */
  static final Duration FIRST_DELAY = Duration.ofSeconds(5);

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "log-purge");
    t.setDaemon(true);
    return t;
  });

  /** Purges the owner's logs after {@code firstDelay} and then every {@code interval}. */
  LogPurger(LogPurge purge, String owner, Duration interval, Duration firstDelay) {
    if (interval.isNegative() || interval.isZero() || firstDelay.isNegative()) {
      throw new IllegalArgumentException("the purge interval must be positive and the first delay not negative: "
          + interval + ", " + firstDelay);
    }
    executor.scheduleWithFixedDelay(() -> purgeIfDue(purge, owner, interval), firstDelay.toMillis(),
        interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A purger that never purges. */
  private LogPurger() {}

  /**
   * The purger of the configured retention and interval for the owner's logs; one that never purges, with a
   * warning that names the setting, if either is not positive.
   */
  static LogPurger start(Configuration conf, BlobStore blobs, String owner) {
    int retentionDays = conf.getInt(SpoolConfig.LOG_RETENTION_DAYS, SpoolConfig.LOG_RETENTION_DAYS_DEFAULT);
    long intervalMs = conf.getLong(SpoolConfig.PURGE_INTERVAL_MS, SpoolConfig.PURGE_INTERVAL_MS_DEFAULT);
    if (retentionDays < 1 || intervalMs < 1) {
      LOG.warn("the logs of {} are not purged: {} is {} and {} is {}; both must be at least 1", owner,
          SpoolConfig.LOG_RETENTION_DAYS, retentionDays, SpoolConfig.PURGE_INTERVAL_MS, intervalMs);
      return new LogPurger();
    }
    LogPurge purge = LogPurge.deleting(blobs, Duration.ofDays(retentionDays), Clock.systemUTC());
    return new LogPurger(purge, owner, Duration.ofMillis(intervalMs), FIRST_DELAY);
  }

  private void purgeIfDue(LogPurge purge, String owner, Duration interval) {
    try {
      purge.purgeIfDue(owner, interval).ifPresent(result -> LOG.info(
          "purged {} log files ({} bytes) and {} directories of {} last modified before {}", result.filesDeleted(),
          result.bytesFreed(), result.directoriesRemoved(), owner, result.cutoff()));
    } catch (Exception e) {
      if (executor.isShutdown()) {
        LOG.debug("the purge of {}'s logs stopped with the master", owner, e);
      } else {
        LOG.warn("purging the expired logs of {} failed; trying again in {}", owner, interval, e);
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
