package io.spool.runner;

import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies growing local log files (a running job's, a build's) to their blobs every flush interval when they have
 * changed, so that they can be read before they are complete. One daemon thread serves every log of this process.
 * The first copy comes one interval after {@link #follow}, so a log that is complete sooner costs nothing; a copy
 * that fails is logged and tried again at the next interval, and never fails the job. The final copy is the
 * caller's, after {@link Following#stop()}.
 */
final class LiveLog implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveLog.class);

  private final BlobStore blobs;
  private final long intervalMillis;
  private final ScheduledExecutorService timer;

  /** Copies to {@code blobs} every {@code intervalMillis}; 0 or less: no copies until the caller's final one. */
  LiveLog(BlobStore blobs, long intervalMillis) {
    this.blobs = blobs;
    this.intervalMillis = intervalMillis;
    this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "live-log");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Copies every {@value SpoolConfig#LOG_FLUSH_INTERVAL_MS} as {@code conf} sets it. */
  static LiveLog of(BlobStore blobs, Configuration conf) {
    return new LiveLog(blobs,
        conf.getLong(SpoolConfig.LOG_FLUSH_INTERVAL_MS, SpoolConfig.LOG_FLUSH_INTERVAL_MS_DEFAULT));
  }

  /** Starts copying {@code local} to the root-relative {@code blob} whenever it has changed, one interval from now. */
  Following follow(Path local, String blob) {
    Following following = new Following(local, blob);
    if (intervalMillis > 0) {
      following.schedule(timer.scheduleWithFixedDelay(following::copyIfChanged, intervalMillis, intervalMillis,
          TimeUnit.MILLISECONDS));
    }
    return following;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** One log being copied, until {@link #stop()}. */
  final class Following {
    private final Path local;
    private final String blob;
    private ScheduledFuture<?> task; // guarded by this
    private boolean stopped; // guarded by this
    private long copiedSize = -1; // guarded by this
    private FileTime copiedModified; // guarded by this
    private boolean failing; // guarded by this

    private Following(Path local, String blob) {
      this.local = local;
      this.blob = blob;
    }

    private synchronized void schedule(ScheduledFuture<?> scheduled) {
      task = scheduled;
    }

    /**
     * Copies the log if it exists and its size or modification time has changed since the last copy; true if it
     * copied. Never throws: a failed copy is logged (at WARN the first time in a row).
     */
    synchronized boolean copyIfChanged() {
      if (stopped) {
        return false;
      }
      try {
        BasicFileAttributes now = Files.readAttributes(local, BasicFileAttributes.class);
        if (now.size() == copiedSize && now.lastModifiedTime().equals(copiedModified)) {
          return false;
        }
        blobs.upload(local, blob);
        copiedSize = now.size();
        copiedModified = now.lastModifiedTime();
        failing = false;
        return true;
      } catch (NoSuchFileException notYet) {
        return false;
      } catch (IOException | RuntimeException e) {
        if (!failing) {
          LOG.warn("cannot copy the running log {} to {} (trying again every {} ms)", local, blob, intervalMillis, e);
        } else {
          LOG.debug("cannot copy the running log {} to {}", local, blob, e);
        }
        failing = true;
        return false;
      }
    }

    /** Whether a copy was made, or tried (a failed one may have left part of the log there). */
    synchronized boolean copied() {
      return copiedSize >= 0 || failing;
    }

    /** Stops the copies; returns once a copy under way, if any, has ended. */
    void stop() {
      ScheduledFuture<?> scheduled;
      synchronized (this) {
        stopped = true;
        scheduled = task;
      }
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }
  }
}
