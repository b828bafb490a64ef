package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.AttemptStatistics;
import io.spool.core.model.JobStatus;
import io.spool.core.state.NotFoundException;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Cancel, rerun and delete of jobs; memory limits and statistics of attempts. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class JobControlTest {

  private static final Duration WAIT = Duration.ofMinutes(3);

  private Spool spool;
  private String jobsPy;
  private Configuration conf;

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    this.conf = conf;
    spool = Spool.connect(conf);
    jobsPy = Paths.get(JobControlTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Function.Builder function(String name) {
    return Function.builder(spool, jobsPy + ":" + name).memory(256);
  }

  private static void awaitStatus(Job job, JobStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (job.refresh().status() != status && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(status, job.status());
  }

  @Test
  void cancelOfAPendingJobIsImmediateAndItNeverRuns() throws Exception {
    Function sleepy = function("sleepy").maximumConcurrency(1).build().save();
    Job first = sleepy.call(3);
    Job second = sleepy.call(0);
    assertEquals(JobStatus.CANCELED, second.cancel());
    assertEquals(JobStatus.CANCELED, second.refresh().status());
    assertEquals(JobStatus.SUCCESS, first.waitForCompletion(WAIT), first::errorReason);
    assertEquals(0, second.refresh().executionCount(), "a canceled pending job never runs");
    assertEquals(1L, sleepy.jobStatistics().get(JobStatus.CANCELED));
  }

  @Test
  void cancelOfARunningJobKillsItAndWalksCancelCancelingCanceled() throws Exception {
    Function sleepy = function("sleepy").build().save();
    Job job = sleepy.call(120);
    awaitStatus(job, JobStatus.RUNNING);
    assertEquals(JobStatus.CANCEL, job.cancel());
    assertEquals(JobStatus.CANCELED, job.waitForCompletion(Duration.ofSeconds(30)));
    assertTrue(job.runtime() < 60, "the job was not killed: it ran " + job.runtime() + " s");
    Job next = sleepy.call(0);
    assertEquals(JobStatus.SUCCESS, next.waitForCompletion(WAIT), next::errorReason);
    assertEquals(JobStatus.SUCCESS, next.cancel(), "an ended job keeps its status");
  }

  @Test
  void rerunRunsFailedJobsAgainAndKeepsEveryAttemptsLog(@TempDir Path dir) throws Exception {
    Function flaky = function("flaky").build().save();
    Job job = flaky.call(dir.resolve("marker").toString());
    assertEquals(JobStatus.FAILURE, job.waitForCompletion(WAIT));
    IllegalStateException notYet = assertThrows(IllegalStateException.class, () -> flaky.call(1).rerun());
    assertTrue(notYet.getMessage().contains("only FAILURE, TIMEOUT and CANCELED jobs can be rerun"), notYet.getMessage());
    assertEquals(List.of(job.id()), flaky.rerun(List.of(job)).stream().map(Job::id).toList());
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    assertEquals(2, job.executionCount());
    assertTrue(job.log(1).contains("first attempt fails"), job.log(1));
    assertTrue(job.log(2).contains("second attempt: fine"), job.log(2));
    flaky.disable();
    IllegalStateException disabled = assertThrows(IllegalStateException.class, flaky::rerun);
    assertTrue(disabled.getMessage().contains("is disabled"), disabled.getMessage());
  }

  @Test
  void deleteOfJobsRemovesThemAndTheirLogsNotRunningOnes() throws Exception {
    Function sleepy = function("sleepy").maximumConcurrency(2).build().save();
    Job done = sleepy.call(0);
    assertEquals(JobStatus.SUCCESS, done.waitForCompletion(WAIT), done::errorReason);
    Job running = sleepy.call(30);
    awaitStatus(running, JobStatus.RUNNING);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> running.delete(false));
    assertTrue(refused.getMessage().contains("is RUNNING"), refused.getMessage());
    BlobStore blobs = BlobStore.open(conf);
    String owner = sleepy.owner();
    assertEquals(1, sleepy.deleteJobs(List.of(done, running), true));
    assertThrows(NotFoundException.class, () -> Job.get(spool, done.id()));
    assertTrue(ResultStore.on(blobs).find(owner, done.id(), null).isEmpty());
    assertEquals(0L, sleepy.jobStatistics().get(JobStatus.SUCCESS));
    running.cancel();
    running.waitForCompletion(WAIT);
  }

  @Test
  void aJobPastItsMemoryFailsNamingTheLimitAndTheExecutorRunsTheNextJob() throws Exception {
    Function hog = function("hog").memory(128).maximumConcurrency(1).build().save();
    Job big = hog.call(400, 10);
    assertEquals(JobStatus.FAILURE, big.waitForCompletion(WAIT));
    assertTrue(big.errorReason().contains("memory limit exceeded") && big.errorReason().contains("128 MiB"),
        big.errorReason());
    Job small = hog.call(10, 0);
    assertEquals(JobStatus.SUCCESS, small.waitForCompletion(WAIT), small::errorReason);
  }

  @Test
  void attemptsRecordCpuAndMemoryStatistics() throws Exception {
    Function burn = function("burn").build().save();
    Job job = burn.call(1.0);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    AttemptStatistics stats = job.statistics().orElseThrow();
    assertTrue(stats.cpuSeconds() >= 0.5, stats.toString());
    assertTrue(stats.cpuPercent() > 40, stats.toString());
    assertTrue(stats.peakMemoryBytes() > 5_000_000 && stats.averageMemoryBytes() > 0, stats.toString());
    assertTrue(stats.peakMemoryBytes() >= stats.averageMemoryBytes(), stats.toString());
  }
}
