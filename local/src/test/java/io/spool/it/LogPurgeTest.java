package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.cli.SpoolCli;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogPurge;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Paths;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Expired job logs are purged, by {@code spool admin purge} and by running masters, and nothing else is. The
 * master-run purge comes last: its master purges every second while it lives, which would race the command's test.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class LogPurgeTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Duration OLDER_THAN_RETENTION =
      Duration.ofDays(SpoolConfig.LOG_RETENTION_DAYS_DEFAULT + 5);

  private Configuration conf;
  private Spool spool;
  private BlobStore blobs;
  private FileSystem fs;
  private String jobsPy;

  /** What one command printed and returned. */
  private record Run(int exit, String out, String err) {}

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    conf.setLong(SpoolConfig.SEGMENT_MAX_AGE_MS, 1); // every job's log in a segment of its own
    this.conf = conf;
    spool = Spool.connect(conf);
    blobs = BlobStore.open(conf);
    fs = blobs.fileSystem();
    jobsPy = Paths.get(LogPurgeTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Run spool(Configuration with, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), () -> Spool.connect(with));
    return new Run(exit, out.toString(), err.toString());
  }

  private static Job succeeded(Job job) throws Exception {
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    return job;
  }

  /**
   * Makes the segment that holds a job's log, and its index, look last written longer ago than the default
   * retention, once its executor has closed it (the next job's log went to the next segment, or the executor
   * ended); returns the segment's path.
   */
  private String makeOld(Function function, Job job) throws Exception {
    String dir = "users/" + function.owner() + "/logs/" + function.id() + "/segments";
    String segment = null;
    for (org.apache.hadoop.fs.FileStatus file : fs.listStatus(blobs.resolve(dir))) {
      String name = file.getPath().getName();
      if (name.endsWith(".idx") && new String(blobs.read(dir + "/" + name).orElseThrow()).contains(job.id())) {
        segment = dir + "/" + name.substring(0, name.length() - ".idx".length());
      }
    }
    assertTrue(segment != null, "no segment holds the log of " + job.id());
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!blobs.isClosed(segment) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long old = System.currentTimeMillis() - OLDER_THAN_RETENTION.toMillis();
    fs.setTimes(blobs.resolve(segment), old, -1);
    fs.setTimes(blobs.resolve(segment + ".idx"), old, -1);
    return segment;
  }

  private long length(String relative) throws Exception {
    return fs.getFileStatus(blobs.resolve(relative)).getLen();
  }

  private String marker(Function function) {
    return LogPurge.marker(function.owner());
  }

  private void awaitGone(String relative) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (blobs.exists(relative) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertFalse(blobs.exists(relative), relative + " was not purged");
  }

  @Test
  @Order(1)
  void adminPurgeDeletesOnlyExpiredLogsAndKeepsResultsAndJobs() throws Exception {
    Function hello = Function.builder(spool, jobsPy + ":hello").memory(256).build().save();
    Job expired = succeeded(hello.call(1));
    Job recent = succeeded(hello.call(2));
    // a fresh marker: masters with the default interval leave this owner's logs to the command
    blobs.write(marker(hello), new byte[0]);
    String expiredLog = makeOld(hello, expired);
    long expiredBytes = length(expiredLog) + length(expiredLog + ".idx");
    assertTrue(expired.log().contains("saying hello to 1"), expired.log());

    Run dryRun = spool(conf, "admin", "purge", "--dry-run", "--json");
    assertEquals(SpoolCli.EXIT_OK, dryRun.exit(), dryRun.err());
    JsonNode preview = Json.values().readTree(dryRun.out());
    assertTrue(preview.get("dryRun").asBoolean());
    assertEquals(2, preview.get("files").asLong(), "the segment and its index: " + dryRun.out());
    assertTrue(blobs.exists(expiredLog), "a dry run deletes nothing");

    Run purge = spool(conf, "admin", "purge", "--json");
    assertEquals(SpoolCli.EXIT_OK, purge.exit(), purge.err());
    JsonNode purged = Json.values().readTree(purge.out());
    assertEquals(2, purged.get("files").asLong(), purge.out());
    assertEquals(expiredBytes, purged.get("bytes").asLong(), purge.out());
    assertEquals(0, purged.get("directories").asLong(), "the recent job's segment is left: " + purge.out());
    assertEquals(SpoolConfig.LOG_RETENTION_DAYS_DEFAULT, purged.get("retentionDays").asInt());
    assertTrue(purged.get("owners").asInt() >= 1, purge.out());

    assertFalse(blobs.exists(expiredLog));
    assertEquals("", expired.log());
    assertEquals(JobStatus.SUCCESS, Job.get(spool, expired.id()).status(), "the job is intact");
    assertEquals("hello 1", expired.result(), "results are never purged");
    assertTrue(recent.log().contains("saying hello to 2"), recent.log());
    assertEquals("hello 2", recent.result());
    Run log = spool(conf, "job", "log", expired.id());
    assertEquals(SpoolCli.EXIT_OK, log.exit(), log.err());
    assertEquals("", log.out());

    Run text = spool(conf, "admin", "purge", "--owner", hello.owner());
    assertEquals(SpoolCli.EXIT_OK, text.exit(), text.err());
    assertTrue(text.out().startsWith("purged logs last written more than 30 days ago"), text.out());
    assertTrue(text.out().contains("files:       0"), "nothing is left to purge: " + text.out());
  }

  @Test
  @Order(2)
  void aNonPositiveConfiguredRetentionIsAUsageErrorNamingTheSetting() {
    Configuration zero = new Configuration(conf);
    zero.setInt(SpoolConfig.LOG_RETENTION_DAYS, 0);
    Run run = spool(zero, "admin", "purge", "--dry-run");
    assertEquals(SpoolCli.EXIT_USAGE, run.exit(), run.out() + run.err());
    assertTrue(run.err().contains("spool.log.retention-days must be at least 1, not 0"), run.err());
  }

  @Test
  @Order(3)
  void aRunningMasterPurgesItsOwnersExpiredLogsEveryInterval() throws Exception {
    Function other = Function.builder(spool, jobsPy + ":hello").memory(256).build().save();
    Job expired = succeeded(other.call(3));
    String expiredLog = makeOld(other, expired);
    blobs.delete(marker(other), false);

    Configuration purging = new Configuration(conf);
    purging.setLong(SpoolConfig.PURGE_INTERVAL_MS, 1_000);
    try (Spool purgingSpool = Spool.connect(purging)) {
      Function purger = Function.builder(purgingSpool, jobsPy + ":hello").memory(256).build().save();
      Job first = succeeded(purger.call(4));
      awaitGone(expiredLog);
      assertEquals("hello 3", expired.result(), "results are never purged");
      assertTrue(blobs.exists(marker(other)), "the purge leaves its marker");

      // the marker is now at most a second old: only a master purging every second purges again this soon
      Job second = succeeded(purger.call(5));
      succeeded(purger.call(6)); // its log goes to the next segment: the executor closes the one of job 5
      String secondLog = makeOld(purger, second);
      awaitGone(secondLog);
      assertTrue(first.log().contains("saying hello to 4"), first.log());
      assertEquals("hello 5", second.result());
    }
  }
}
