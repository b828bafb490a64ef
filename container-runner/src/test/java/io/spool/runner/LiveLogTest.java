package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.blob.BlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Copies of growing logs to a blob store on the local file system. */
@Timeout(60)
class LiveLogTest {

  private static final String BLOB = "users/alice/logs/abcdefghij/abcdefghij-1/1";

  @TempDir
  Path dir;
  private BlobStore blobs;
  private Path log;

  @BeforeEach
  void store() throws Exception {
    blobs = new BlobStore(FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("store").toUri()));
    log = dir.resolve("log");
  }

  private String blob() throws IOException {
    return blobs.read(BLOB).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
  }

  private void append(String text) throws Exception {
    Files.writeString(log, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void aLogIsCopiedOnlyWhenItExistsAndHasChanged() throws Exception {
    try (LiveLog live = new LiveLog(blobs, 0)) {
      LiveLog.Following following = live.follow(log, BLOB);
      assertFalse(following.copyIfChanged(), "no log yet");
      append("one\n");
      assertTrue(following.copyIfChanged());
      assertEquals("one\n", blob());
      assertFalse(following.copyIfChanged(), "unchanged");
      append("two\n");
      assertTrue(following.copyIfChanged());
      assertEquals("one\ntwo\n", blob());
      Files.writeString(log, "ONE\ntwo\n"); // same size, later modification time
      Files.setLastModifiedTime(log, FileTime.from(Instant.now().plusSeconds(5)));
      assertTrue(following.copyIfChanged());
      assertEquals("ONE\ntwo\n", blob());
      following.stop();
      append("three\n");
      assertFalse(following.copyIfChanged(), "stopped");
      assertEquals("ONE\ntwo\n", blob());
    }
  }

  @Test
  void aRunningLogIsCopiedEveryIntervalUntilStopped() throws Exception {
    try (LiveLog live = new LiveLog(blobs, 50)) {
      LiveLog.Following following = live.follow(log, BLOB);
      append("started\n");
      TestJobs.await("the first copy", () -> "started\n".equals(blob()));
      append("working\n");
      TestJobs.await("the next copy", () -> "started\nworking\n".equals(blob()));
      following.stop();
      assertFalse(following.copyIfChanged());
    }
  }

  @Test
  void nothingIsCopiedBeforeTheFirstIntervalHasPassed() throws Exception {
    try (LiveLog live = new LiveLog(blobs, 3_600_000)) {
      append("a short job's whole log\n");
      LiveLog.Following following = live.follow(log, BLOB);
      Thread.sleep(200); // a copy at once would have been made by now
      following.stop();
      assertFalse(blobs.exists(BLOB));
    }
  }

  @Test
  void aCopyThatFailsIsLoggedAndNeverThrows() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "in the way");
    BlobStore broken = new BlobStore(FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(notADirectory.resolve("store").toUri()));
    try (LiveLog live = new LiveLog(broken, 0)) {
      LiveLog.Following following = live.follow(log, BLOB);
      append("line\n");
      assertFalse(following.copyIfChanged());
      assertFalse(following.copyIfChanged(), "failing again, quietly");
      following.stop();
    }
  }
}
