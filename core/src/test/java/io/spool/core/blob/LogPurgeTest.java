package io.spool.core.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogPurge} on the local file system, with modification times set by the test. */
class LogPurgeTest {

  private static final Duration RETENTION = Duration.ofDays(30);
  private static final Duration OLD = Duration.ofDays(31);
  private static final Duration YOUNG = Duration.ofDays(29);
  private static final Duration HOUR = Duration.ofHours(1);
  private static final String FA = "aaaaaaaaaa";
  private static final String FB = "bbbbbbbbbb";

  @TempDir
  java.nio.file.Path tempDir;

  private final Instant now = Instant.now();
  private FileSystem fs;
  private BlobStore blobs;

  @BeforeEach
  void openStore() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    blobs = new BlobStore(fs, new Path(tempDir.toString()));
  }

  private LogPurge purgeAt(Instant instant) {
    return LogPurge.deleting(blobs, RETENTION, Clock.fixed(instant, ZoneOffset.UTC));
  }

  /** Writes {@code size} bytes to a root-relative path, last modified {@code age} ago. */
  private String write(String relative, int size, Duration age) throws IOException {
    blobs.write(relative, "x".repeat(size).getBytes(StandardCharsets.UTF_8));
    fs.setTimes(blobs.resolve(relative), now.minus(age).toEpochMilli(), -1);
    return relative;
  }

  private boolean exists(String relative) throws IOException {
    return blobs.exists(relative);
  }

  @Test
  void oldAttemptsAreDeletedAndYoungOnesKept() throws IOException {
    String oldFirst = write(HdfsLogStore.path("alice", FA + "-1", 1), 100, OLD);
    String youngSecond = write(HdfsLogStore.path("alice", FA + "-1", 2), 10, YOUNG);
    String oldOnly = write(HdfsLogStore.path("alice", FA + "-2", 1), 7, OLD);
    String young = write(HdfsLogStore.path("alice", FB + "-1", 1), 5, Duration.ZERO);

    LogPurge.Result result = purgeAt(now).purge("alice");

    assertFalse(exists(oldFirst));
    assertFalse(exists(oldOnly));
    assertTrue(exists(youngSecond));
    assertTrue(exists(young));
    assertEquals(2, result.filesDeleted());
    assertEquals(107, result.bytesFreed());
    assertEquals(1, result.ownersVisited());
    assertEquals(now.minus(RETENTION), result.cutoff());
  }

  @Test
  void aYoungJobDirectoryIsStillSearchedForOldAttempts() throws IOException {
    String old = write(HdfsLogStore.path("alice", FA + "-1", 1), 3, OLD);
    write(HdfsLogStore.path("alice", FA + "-1", 2), 3, Duration.ZERO);
    fs.setTimes(blobs.resolve(HdfsLogStore.jobDir("alice", FA + "-1")), now.toEpochMilli(), -1);

    purgeAt(now).purge("alice");

    assertFalse(exists(old));
  }

  @Test
  void resultsAndFunctionFilesAreNeverTouched() throws IOException {
    String result = write(HdfsResultStore.path("alice", FA + "-1"), 10, Duration.ofDays(400));
    String metadata = write(HdfsResultStore.path("alice", FA + "-1") + BlobStore.METADATA_FILE_SUFFIX, 10,
        Duration.ofDays(400));
    String bundle = write(BlobStore.bundle("alice", FA), 10, Duration.ofDays(400));
    write(HdfsLogStore.path("alice", FA + "-1", 1), 10, OLD);

    LogPurge.Result purged = purgeAt(now).purge("alice");

    assertEquals(1, purged.filesDeleted());
    assertTrue(exists(result));
    assertTrue(exists(metadata));
    assertTrue(exists(bundle));
  }

  @Test
  void directoriesLeftEmptyAreRemovedAndOthersKept() throws IOException {
    write(HdfsLogStore.path("alice", FA + "-1", 1), 1, OLD);
    write(HdfsLogStore.path("alice", FA + "-2", 1), 1, OLD);
    write(HdfsLogStore.path("alice", FB + "-1", 1), 1, OLD);
    write(HdfsLogStore.path("alice", FB + "-2", 1), 1, YOUNG);

    LogPurge.Result result = purgeAt(now).purge("alice");

    assertFalse(exists(HdfsLogStore.jobDir("alice", FA + "-1")));
    assertFalse(exists(BlobStore.logsDir("alice", FA)));
    assertFalse(exists(HdfsLogStore.jobDir("alice", FB + "-1")));
    assertTrue(exists(HdfsLogStore.jobDir("alice", FB + "-2")));
    assertTrue(exists(BlobStore.ownerLogs("alice")), "the owner's logs directory stays");
    assertEquals(4, result.directoriesRemoved(), "fa-1, fa-2, fa and fb-1");
  }

  @Test
  void purgeIfDueRunsAtMostOncePerIntervalByTheMarker() throws IOException {
    String first = write(HdfsLogStore.path("alice", FA + "-1", 1), 1, OLD);
    String marker = BlobStore.ownerLogs("alice") + "/" + LogPurge.MARKER;

    Optional<LogPurge.Result> due = purgeAt(now).purgeIfDue("alice", HOUR);
    assertTrue(due.isPresent());
    assertFalse(exists(first));
    assertEquals(now.toEpochMilli(), fs.getFileStatus(blobs.resolve(marker)).getModificationTime());

    String second = write(HdfsLogStore.path("alice", FA + "-2", 1), 1, OLD);
    assertTrue(purgeAt(now.plus(Duration.ofMinutes(59))).purgeIfDue("alice", HOUR).isEmpty());
    assertTrue(exists(second), "a purge within the interval of the last one does nothing");

    Optional<LogPurge.Result> later = purgeAt(now.plus(Duration.ofMinutes(61))).purgeIfDue("alice", HOUR);
    assertTrue(later.isPresent());
    assertEquals(1, later.get().filesDeleted());
    assertFalse(exists(second));
  }

  @Test
  void purgeIfDueLeavesAnOwnerWithoutLogsAlone() throws IOException {
    assertTrue(purgeAt(now).purgeIfDue("carol", HOUR).isEmpty());
    assertFalse(exists(BlobStore.userDir("carol")), "no directory is made for the marker");
  }

  @Test
  void aDryRunDeletesNothingAndReportsWhatAPurgeWould() throws IOException {
    String old = write(HdfsLogStore.path("alice", FA + "-1", 1), 40, OLD);
    String young = write(HdfsLogStore.path("alice", FA + "-2", 1), 2, YOUNG);
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);

    LogPurge.Result preview = LogPurge.dryRun(blobs, RETENTION, clock).purge("alice");
    assertTrue(exists(old));
    assertTrue(exists(BlobStore.logsDir("alice", FA)));
    Optional<LogPurge.Result> previewIfDue = LogPurge.dryRun(blobs, RETENTION, clock).purgeIfDue("alice", HOUR);
    assertTrue(previewIfDue.isPresent());
    assertFalse(exists(BlobStore.ownerLogs("alice") + "/" + LogPurge.MARKER), "a dry run leaves no marker");
    assertTrue(exists(old));

    LogPurge.Result purged = LogPurge.deleting(blobs, RETENTION, clock).purge("alice");
    assertEquals(purged, preview);
    assertEquals(new LogPurge.Result(now.minus(RETENTION), 1, 40, 1, 1, List.of()), preview);
    assertFalse(exists(old));
    assertTrue(exists(young));
  }

  @Test
  void allOwnersModePurgesEveryOwnersLogs() throws IOException {
    String alices = write(HdfsLogStore.path("alice", FA + "-1", 1), 1, OLD);
    String bobs = write(HdfsLogStore.path("bob", FB + "-1", 1), 1, OLD);
    String bobsYoung = write(HdfsLogStore.path("bob", FB + "-2", 1), 1, YOUNG);
    blobs.ensureUserDir("carol");
    write(BlobStore.USERS + "/stray-file", 1, OLD);

    LogPurge.Result result = purgeAt(now).purgeAll();

    assertFalse(exists(alices));
    assertFalse(exists(bobs));
    assertTrue(exists(bobsYoung));
    assertTrue(exists(BlobStore.USERS + "/stray-file"));
    assertEquals(2, result.filesDeleted());
    assertEquals(3, result.ownersVisited());
    assertEquals(List.of(), result.ownersSkipped());
  }

  @Test
  void allOwnersModeWithoutUsersPurgesNothing() throws IOException {
    assertEquals(new LogPurge.Result(now.minus(RETENTION), 0, 0, 0, 0, List.of()), purgeAt(now).purgeAll());
  }

  @Test
  void aLogThatVanishesMidPurgeIsNotAnError() throws IOException {
    write(HdfsLogStore.path("alice", FA + "-1", 1), 1, OLD);
    String kept = write(HdfsLogStore.path("alice", FA + "-2", 1), 1, YOUNG);
    // the job's logs are deleted (the job was deleted) right after the purge listed them
    FileSystem racing = new FilterFileSystem(fs) {
      @Override
      public RemoteIterator<FileStatus> listStatusIterator(Path dir) throws IOException {
        List<FileStatus> listed = new ArrayList<>();
        RemoteIterator<FileStatus> it = super.listStatusIterator(dir);
        while (it.hasNext()) {
          listed.add(it.next());
        }
        if (dir.getName().equals(FA + "-1")) {
          fs.delete(dir, true);
        }
        return new RemoteIterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < listed.size();
          }

          @Override
          public FileStatus next() {
            return listed.get(next++);
          }
        };
      }
    };
    BlobStore racingStore = new BlobStore(racing, new Path(tempDir.toString()));

    LogPurge.Result result = LogPurge.deleting(racingStore, RETENTION, Clock.fixed(now, ZoneOffset.UTC))
        .purge("alice");

    assertEquals(0, result.filesDeleted(), "a file that vanished was not deleted by the purge");
    assertTrue(exists(kept));
  }

  @Test
  void anOwnerNameCannotLeaveTheOwnersDirectory() {
    for (String bad : new String[] {"..", ".", "", "alice/../bob"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> purgeAt(now).purge(bad));
      assertTrue(e.getMessage().contains("is not an owner's name"), e.getMessage());
    }
  }

  @Test
  void aRetentionMustBePositive() {
    Clock clock = Clock.systemUTC();
    assertThrows(IllegalArgumentException.class, () -> LogPurge.deleting(blobs, Duration.ZERO, clock));
    assertThrows(IllegalArgumentException.class, () -> LogPurge.dryRun(blobs, Duration.ofDays(-1), clock));
  }
}
