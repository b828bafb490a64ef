package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The runner's side of a job on the real Python worker: statistics, memory limit, cancel and timeout. */
@Timeout(120)
class JobExecutionTest {

  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;
  private JobExecution execution;
  private final ExecutorService background = Executors.newSingleThreadExecutor();
  private final AtomicInteger jobs = new AtomicInteger();

  @BeforeEach
  void startWorker() throws Exception {
    execution = TestJobs.startWorker(dir);
  }

  @AfterEach
  void stopWorker() {
    background.shutdownNow();
    execution.close();
  }

  private JobExecution.Job job(long timeoutSeconds, long memoryMiB, Object... call) {
    return new JobExecution.Job("abcdefghij-" + jobs.incrementAndGet(), 1, TestJobs.call(call), null, Map.of(),
        timeoutSeconds, memoryMiB);
  }

  private JobOutcome run(JobExecution.Job job) throws IOException, InterruptedException {
    Path scratch = Files.createDirectories(dir.resolve("jobs").resolve(job.id()));
    return execution.run(job, scratch.resolve("log"), scratch.resolve("result"), scratch.resolve("tmp"));
  }

  private String log(JobExecution.Job job) throws IOException {
    Path log = dir.resolve("jobs").resolve(job.id()).resolve("log");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  private void assertNextJobSucceeds() throws Exception {
    JobExecution.Job next = job(0, 100, "echo", "still here");
    JobOutcome outcome = run(next);
    assertEquals("SUCCESS", outcome.status(), outcome + "\n" + log(next));
    assertEquals("\"still here\"",
        Files.readString(dir.resolve("jobs").resolve(next.id()).resolve("result"), StandardCharsets.UTF_8).trim());
  }

  @Test
  void statisticsMeasureTheJobsCpuAndMemory() throws Exception {
    JobExecution.Job job = job(0, 0, "burn", 0.5);
    JobOutcome outcome = run(job);
    assertEquals("SUCCESS", outcome.status(), outcome + "\n" + log(job));
    ProcessTreeMonitor.Statistics statistics = outcome.statistics();
    assertNotNull(statistics);
    assertTrue(statistics.cpuSeconds() >= 0.3, statistics.toString());
    assertTrue(statistics.cpuPercent() > 30, statistics.toString());
    assertTrue(statistics.peakMemoryBytes() > 5 * MIB, statistics.toString());
    assertTrue(statistics.averageMemoryBytes() > 0 && statistics.averageMemoryBytes() <= statistics.peakMemoryBytes(),
        statistics.toString());
    assertTrue(statistics.wallSeconds() >= 0.4 && statistics.wallSeconds() <= outcome.runtimeSeconds() + 0.5,
        statistics + " over a runtime of " + outcome.runtimeSeconds());
  }

  @Test
  void aJobShorterThanTheSamplingPeriodGetsItsStatisticsFromTheWorker() throws Exception {
    JobExecution.Job job = job(0, 0, "echo", "quick");
    JobOutcome outcome = run(job);
    assertEquals("SUCCESS", outcome.status(), outcome + "\n" + log(job));
    ProcessTreeMonitor.Statistics statistics = outcome.statistics();
    assertNotNull(statistics);
    assertTrue(statistics.cpuSeconds() >= 0 && statistics.cpuSeconds() < outcome.runtimeSeconds() + 0.5,
        statistics.toString());
    assertTrue(statistics.peakMemoryBytes() > 5 * MIB, "the reaped child's largest resident set: " + statistics);
    assertEquals(statistics.peakMemoryBytes(), statistics.averageMemoryBytes(), statistics.toString());
    assertEquals(outcome.runtimeSeconds(), statistics.wallSeconds(), 1e-9);
  }

  @Test
  void theWorkersUsageCompletesTheSampledStatistics() {
    ObjectNode usage = JsonNodeFactory.instance.objectNode().put("cpuSeconds", 1.5).put("maxRssBytes", 300L * MIB);
    ProcessTreeMonitor.Statistics sampled = new ProcessTreeMonitor.Statistics(1.2, 60, 200 * MIB, 150 * MIB, 1.9);
    ProcessTreeMonitor.Statistics merged = JobExecution.withUsage(sampled, usage, 3.0);
    assertEquals(new ProcessTreeMonitor.Statistics(1.5, 50, 300 * MIB, 150 * MIB, 3.0), merged,
        "CPU after the last sample counts; the peak is the larger; the mean stays the sampled one");

    ProcessTreeMonitor.Statistics unsampled = new ProcessTreeMonitor.Statistics(0, 0, 0, 0, 0);
    assertEquals(new ProcessTreeMonitor.Statistics(0.02, 40, 30 * MIB, 30 * MIB, 0.05), JobExecution.withUsage(
        unsampled, usage.put("cpuSeconds", 0.02).put("maxRssBytes", 30L * MIB), 0.05));
    assertEquals(sampled, JobExecution.withUsage(sampled, null, 3.0), "a worker that did not say: the samples");
    assertNull(JobExecution.withUsage(null, null, 3.0));
  }

  @Test
  void aJobOverItsMemoryIsKilledAndTheWorkerRunsTheNextJob() throws Exception {
    JobExecution.Job job = job(0, 100, "allocate", 300, 30);
    long start = System.nanoTime();
    JobOutcome outcome = run(job);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals("FAILURE", outcome.status(), outcome + "\n" + log(job));
    assertTrue(outcome.errorReason().matches("memory limit exceeded: the job used \\d+ MiB, more than its 100 MiB "
        + "\\(the function's memory; raise it with update\\(\\)\\.memory\\(\\.\\.\\.\\)\\)"), outcome.errorReason());
    assertTrue(usedMiB(outcome) > 100, outcome.errorReason());
    assertEquals(-9, outcome.exitCode());
    assertTrue(seconds < 5, "killed after " + seconds + " s");
    assertTrue(outcome.statistics().peakMemoryBytes() > 100 * MIB, outcome.statistics().toString());
    assertNextJobSucceeds();
  }

  private static long usedMiB(JobOutcome outcome) {
    String reason = outcome.errorReason();
    String used = reason.substring("memory limit exceeded: the job used ".length());
    return Long.parseLong(used.substring(0, used.indexOf(' ')));
  }

  @Test
  void memoryOfTheJobsChildProcessesCountsTowardsTheLimit() throws Exception {
    Path pidFile = dir.resolve("grandchild.pid");
    JobExecution.Job job = job(0, 100, "child_allocates", 200, 30, pidFile);
    long start = System.nanoTime();
    JobOutcome outcome = run(job);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals("FAILURE", outcome.status(), outcome + "\n" + log(job));
    assertTrue(outcome.errorReason().startsWith("memory limit exceeded: the job used "), outcome.errorReason());
    assertTrue(outcome.errorReason().contains("more than its 100 MiB"), outcome.errorReason());
    assertTrue(usedMiB(outcome) > 100, outcome.errorReason());
    assertTrue(seconds < 5, "killed after " + seconds + " s");
    TestJobs.awaitGone(Integer.parseInt(TestJobs.awaitFile(pidFile)));
    assertNextJobSucceeds();
  }

  @Test
  void aJobUnderItsMemoryRunsToTheEnd() throws Exception {
    JobExecution.Job job = job(0, 200, "allocate", 50, 0.3);
    JobOutcome outcome = run(job);
    assertEquals("SUCCESS", outcome.status(), outcome + "\n" + log(job));
    assertTrue(outcome.statistics().peakMemoryBytes() > 50 * MIB, outcome.statistics().toString());
  }

  @Test
  void cancelKillsTheRunningJobsProcessGroup() throws Exception {
    Path pidFile = dir.resolve("job.pid");
    JobExecution.Job job = job(0, 0, "sleep_with_grandchild", 60, pidFile);
    Future<JobOutcome> running = background.submit(() -> run(job));
    String[] pids = TestJobs.awaitFile(pidFile).split(" ");
    int child = Integer.parseInt(pids[0]);
    int grandchild = Integer.parseInt(pids[1]);
    assertFalse(TestJobs.gone(child));

    long start = System.nanoTime();
    execution.cancel(job.id());
    JobOutcome outcome = running.get(10, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals("CANCELED", outcome.status(), outcome + "\n" + log(job));
    assertEquals("canceled", outcome.errorReason());
    assertTrue(seconds < 2, "canceled after " + seconds + " s");
    assertNotNull(outcome.statistics());
    assertFalse(Files.exists(Path.of("/proc", String.valueOf(child))), "the job's child was reaped");
    TestJobs.awaitGone(grandchild);
    assertNextJobSucceeds();
  }

  @Test
  void aCancelOfAnotherJobIsIgnored() throws Exception {
    Path pidFile = dir.resolve("job.pid");
    JobExecution.Job job = job(0, 0, "sleep", 0.5, pidFile);
    Future<JobOutcome> running = background.submit(() -> run(job));
    TestJobs.awaitFile(pidFile);
    execution.cancel("abcdefghij-999");
    JobOutcome outcome = running.get(10, TimeUnit.SECONDS);
    assertEquals("SUCCESS", outcome.status(), outcome + "\n" + log(job));
  }

  @Test
  void aCancelThatArrivesBeforeItsJobStartsCancelsIt() throws Exception {
    JobExecution.Job job = job(0, 0, "sleep", 60);
    execution.cancel(job.id());
    JobOutcome outcome = run(job);
    assertEquals("CANCELED", outcome.status());
    assertNull(outcome.statistics(), "the job never started");
    assertFalse(Files.exists(dir.resolve("jobs").resolve(job.id()).resolve("log")), "the job never ran");
  }

  @Test
  void aStaleCancelDoesNotReachTheNextJob() throws Exception {
    execution.cancel("abcdefghij-998"); // a job that ended as its cancel crossed its outcome
    assertNextJobSucceeds();
  }

  @Test
  void losingTheMasterKillsTheRunningJob() throws Exception {
    Path pidFile = dir.resolve("job.pid");
    JobExecution.Job job = job(0, 0, "sleep", 60, pidFile);
    Future<JobOutcome> running = background.submit(() -> run(job));
    int child = Integer.parseInt(TestJobs.awaitFile(pidFile));
    execution.abort("the channel to the master closed");
    JobOutcome outcome = running.get(10, TimeUnit.SECONDS);
    assertEquals("FAILURE", outcome.status());
    assertEquals("the executor lost its master: the channel to the master closed", outcome.errorReason());
    assertTrue(TestJobs.gone(child));

    JobExecution.Job later = job(0, 0, "echo", "too late"); // taken from the channel before it closed
    JobOutcome refused = run(later);
    assertEquals("FAILURE", refused.status());
    assertEquals("the executor lost its master: the channel to the master closed", refused.errorReason());
    assertFalse(Files.exists(dir.resolve("jobs").resolve(later.id()).resolve("result")), "the job never ran");
  }

  @Test
  void aJobPastItsTimeoutTimesOut() throws Exception {
    JobExecution.Job job = job(1, 0, "sleep", 60);
    long start = System.nanoTime();
    JobOutcome outcome = run(job);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals("TIMEOUT", outcome.status(), outcome + "\n" + log(job));
    assertEquals("timed out after 1 s (the function's timeout)", outcome.errorReason());
    assertTrue(seconds >= 1 && seconds < 4, "timed out after " + seconds + " s");
    assertNotNull(outcome.statistics());
    assertNextJobSucceeds();
  }

  @Test
  void theExecutorsLimitsOnResultsAndLogsReachTheWorker() throws Exception {
    try (JobExecution limited = TestJobs.startWorker(dir.resolve("limited"), new JobExecution.Limits(16, 1000))) {
      JobExecution.Job big = job(0, 0, "echo", "x".repeat(20));
      Path scratch = Files.createDirectories(dir.resolve("jobs").resolve(big.id()));
      JobOutcome outcome = limited.run(big, scratch.resolve("log"), scratch.resolve("result"), scratch.resolve("tmp"));
      assertEquals("FAILURE", outcome.status(), outcome.toString());
      assertEquals("result is 22 bytes, more than the limit of 16 bytes (spool.result.max-bytes)",
          outcome.errorReason());

      JobExecution.Job chatty = job(0, 0, "chatty", 500);
      scratch = Files.createDirectories(dir.resolve("jobs").resolve(chatty.id()));
      outcome = limited.run(chatty, scratch.resolve("log"), scratch.resolve("result"), scratch.resolve("tmp"));
      assertEquals("SUCCESS", outcome.status(), outcome.toString());
      List<String> lines = Files.readAllLines(scratch.resolve("log")).stream().map(LogLines::strip).toList();
      assertTrue(lines.get(0).startsWith("[spool] ") && lines.get(0).contains(" lines) dropped from the start of "
          + "this log: it is capped at 1000 bytes (spool.log.max-bytes)"), lines.get(0));
      assertEquals("line 000499", lines.get(lines.size() - 1));
      assertTrue(Files.size(scratch.resolve("log")) < 1000 + lines.get(0).length() + 26, lines.toString());
    }
  }

  @Test
  void aJobThatFailsReportsItsErrorWithStatistics() throws Exception {
    JobExecution.Job job = job(0, 0, "no_such_function");
    JobOutcome outcome = run(job);
    assertEquals("FAILURE", outcome.status());
    assertTrue(outcome.errorReason().contains("no_such_function"), outcome.errorReason());
    assertNotNull(outcome.statistics());
  }
}
