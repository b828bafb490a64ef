package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Job logs: timestamped lines, readable while the job runs, capped to their tail. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class LogsTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Pattern STAMPED = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z .*");
  private static final long CAP = 20_000;

  private Spool spool;
  private String resultsPy;

  @BeforeAll
  void connect(Configuration clusterConf) throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    conf.setLong(SpoolConfig.LOG_MAX_BYTES, CAP);
    conf.setLong(SpoolConfig.LOG_FLUSH_INTERVAL_MS, 500);
    spool = Spool.connect(conf);
    resultsPy = TestSetup.python("results.py");
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Function save(String name) {
    return Function.builder(spool, resultsPy + ":" + name).memory(256).maximumConcurrency(1).build().save();
  }

  @Test
  void aLogIsReadableWhileItsJobRunsAndEveryLineIsTimestamped() throws Exception {
    Job job = save("slow_printer").call(30);
    long deadline = System.nanoTime() + WAIT.toNanos();
    String live = "";
    while (!live.contains("on stderr too") && System.nanoTime() < deadline) {
      Thread.sleep(200);
      live = job.log();
    }
    assertTrue(live.contains("started and waiting") && live.contains("on stderr too"), live);
    assertEquals(JobStatus.RUNNING, job.refresh().status(), "read while the job still runs");
    live.lines().forEach(line -> assertTrue(STAMPED.matcher(line).matches(), line));
    String bare = job.log(false);
    assertTrue(bare.lines().anyMatch("started and waiting"::equals), bare);
    job.cancel();
    assertEquals(JobStatus.CANCELED, job.waitForCompletion(WAIT));
    assertTrue(job.log().contains("[spool] canceled"), job.log());
  }

  @Test
  void followingALogYieldsItsLinesAsTheyAreWrittenUntilTheJobEnds() throws Exception {
    Job job = save("slow_printer").call(3);
    List<String> lines = new ArrayList<>();
    try (Stream<String> follow = job.followLog(false)) {
      follow.forEach(lines::add);
    }
    assertEquals(JobStatus.SUCCESS, job.refresh().status());
    assertEquals(List.of("started and waiting", "on stderr too", "done"), lines);
  }

  @Test
  void aLogPastTheCapKeepsItsTailAndSaysWhatWasDropped() throws Exception {
    int lines = 5_000;
    Job job = save("chatty").call(lines);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    String log = job.log(false);
    assertTrue(log.length() <= CAP + 1_000, "capped near " + CAP + " bytes: " + log.length());
    Matcher note = Pattern.compile("\\[spool\\] (\\d+) bytes \\((\\d+) lines\\) dropped").matcher(log);
    assertTrue(note.find(), log.substring(0, Math.min(300, log.length())));
    assertTrue(log.contains(String.format("line %06d ", lines - 1)), "the tail is kept");
    assertTrue(!log.contains("line 000000 "), "the head is dropped");
    long kept = log.lines().filter(l -> l.startsWith("line ")).count();
    assertEquals(lines, kept + Long.parseLong(note.group(2)), "kept and dropped lines add up");
  }
}
