package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogStore;
import io.spool.core.blob.LogPurge;
import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The master's scheduled purge of its owner's logs, on the local file system. */
@Timeout(30)
class LogPurgerTest {

  private static final String JOB = "aaaaaaaaaa-1";

  @TempDir
  java.nio.file.Path tempDir;

  private static String oldLog(BlobStore blobs, FileSystem fs) throws IOException {
    String log = LogStore.on(blobs).livePath("alice", JOB, 1);
    blobs.write(log, new byte[] {1, 2, 3});
    fs.setTimes(blobs.resolve(log), System.currentTimeMillis() - Duration.ofDays(40).toMillis(), -1);
    return log;
  }

  private static void awaitGone(BlobStore blobs, String relative) throws Exception {
    while (blobs.exists(relative)) {
      Thread.sleep(20);
    }
  }

  @Test
  void aFailedPurgeIsLoggedAndTheNextOneRunsAsPlanned() throws Exception {
    FileSystem local = FileSystem.getLocal(new Configuration());
    AtomicInteger failuresLeft = new AtomicInteger(1);
    FileSystem failingOnce = new FilterFileSystem(local) {
      @Override
      public FileStatus getFileStatus(Path path) throws IOException {
        if (path.getName().equals(LogPurge.MARKER) && failuresLeft.getAndDecrement() > 0) {
          throw new IOException("the name node is unreachable");
        }
        return super.getFileStatus(path);
      }
    };
    BlobStore blobs = new BlobStore(failingOnce, new Path(tempDir.toString()));
    String log = oldLog(blobs, local);
    LogPurge purge = LogPurge.deleting(blobs, Duration.ofDays(30), Clock.systemUTC());

    LogPurger purger = new LogPurger(purge, "alice", Duration.ofMillis(50), Duration.ZERO);
    try {
      awaitGone(blobs, log);
    } finally {
      purger.close();
    }
    assertTrue(failuresLeft.get() < 0, "the first purge failed");
  }

  @Test
  void nonPositiveSettingsTurnThePurgeOffInsteadOfFailingTheMaster() throws IOException {
    BlobStore blobs = new BlobStore(FileSystem.getLocal(new Configuration()), new Path(tempDir.toString()));
    Configuration conf = new Configuration(false);
    conf.setInt(SpoolConfig.LOG_RETENTION_DAYS, 0);
    assertDoesNotThrow(() -> LogPurger.start(conf, blobs, "alice").close());
    conf.setInt(SpoolConfig.LOG_RETENTION_DAYS, 30);
    conf.setLong(SpoolConfig.PURGE_INTERVAL_MS, -1);
    assertDoesNotThrow(() -> LogPurger.start(conf, blobs, "alice").close());
  }
}
