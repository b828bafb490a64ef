package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Blob;
import io.spool.client.Function;
import io.spool.client.FunctionSearch;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.internal.MasterStarter;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.IllegalTransitionException;
import io.spool.core.model.JobStatus;
import io.spool.core.state.NotFoundException;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.ContainerReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A saved function's lifecycle: stop/start, disable/enable, updates, statistics, search and delete. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class FunctionLifecycleTest {

  private static final Duration WAIT = Duration.ofMinutes(3);

  private Spool spool;
  private String jobsPy;

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    spool = Spool.connect(conf);
    jobsPy = Paths.get(FunctionLifecycleTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Function.Builder function(String name) {
    return Function.builder(spool, jobsPy + ":" + name).memory(256);
  }

  private static void awaitStatus(Function f, FunctionStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (f.refresh().status() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(status, f.status());
  }

  @Test
  void stoppedFunctionRunsNoJobUntilStarted() throws Exception {
    Function echo = function("echo").build().save();
    awaitStatus(echo, FunctionStatus.READY);
    echo.stop();
    assertEquals(FunctionStatus.STOPPED, echo.status());
    List<Job> jobs = echo.map(List.of(List.of(1), List.of(2), List.of(3)));
    Thread.sleep(4_000);
    for (Job job : jobs) {
      assertEquals(JobStatus.PENDING, job.refresh().status(), "a stopped function started " + job.id());
    }
    assertEquals(3L, echo.jobStatistics().get(JobStatus.PENDING));
    echo.start();
    for (Job job : jobs) {
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    }
    assertThrows(IllegalTransitionException.class, echo::start, "starting a READY function");
  }

  @Test
  void functionSavedWithoutAutoStartIsStoppedAfterItsBuild() throws Exception {
    Function echo = function("echo").autoStart(false).build().save();
    awaitStatus(echo, FunctionStatus.STOPPED);
    Job job = echo.call(7);
    echo.start();
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
  }

  @Test
  void disabledFunctionRefusesSubmissionsUntilEnabled() throws Exception {
    Function echo = function("echo").build().save();
    echo.disable();
    assertFalse(echo.enabled());
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> echo.call(1));
    assertTrue(refused.getMessage().contains("is disabled: enable() it to submit or rerun jobs"), refused.getMessage());
    assertEquals(0L, echo.jobs().count());
    echo.enable();
    Job job = echo.call(2);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
  }

  @Test
  void jobStatisticsCountEachStatusWithoutScanning() throws Exception {
    Function odd = function("odd_fails").maximumConcurrency(2).build().save();
    List<Job> jobs = odd.map(List.of(List.of(0), List.of(1), List.of(2), List.of(3), List.of(4)));
    for (Job job : jobs) {
      job.waitForCompletion(WAIT);
    }
    Map<JobStatus, Long> stats = odd.jobStatistics();
    assertEquals(3L, stats.get(JobStatus.SUCCESS), stats::toString);
    assertEquals(2L, stats.get(JobStatus.FAILURE), stats::toString);
    assertEquals(5L, stats.values().stream().mapToLong(Long::longValue).sum(), stats::toString);
  }

  @Test
  void updatedMemoryGivesTheNextExecutorTheNewSize(Configuration conf) throws Exception {
    int overhead = conf.getInt(SpoolConfig.EXECUTOR_MEMORY_OVERHEAD_MB, SpoolConfig.EXECUTOR_MEMORY_OVERHEAD_MB_DEFAULT);
    Function sleepy = function("sleepy").maximumConcurrency(1).build().save();
    assertEquals(256 + overhead, executorMemoryWhileRunning(conf, sleepy, sleepy.call(3)));
    Instant before = sleepy.modifiedDate();
    sleepy.update().memory("320Mi").timeout(99).name("sleepy-resized").save();
    assertEquals(320, sleepy.memory());
    assertEquals(99, Function.get(spool, sleepy.id()).timeout());
    assertEquals("sleepy-resized", Function.get(spool, sleepy.id()).name());
    assertTrue(sleepy.modifiedDate().isAfter(before) || sleepy.modifiedDate().equals(before));
    assertEquals(320 + overhead, executorMemoryWhileRunning(conf, sleepy, sleepy.call(3)));
  }

  @Test
  void updateAboveTheClustersLargestContainerIsRefused() {
    Function echo = function("echo").build().save();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> echo.update().memory("64Gi").save());
    assertTrue(e.getMessage().contains("yarn.scheduler.maximum-allocation-mb"), e.getMessage());
    assertEquals(256, Function.get(spool, echo.id()).memory());
    assertThrows(IllegalArgumentException.class, () -> echo.update().maximumConcurrency(0));
  }

  private long executorMemoryWhileRunning(Configuration conf, Function f, Job job) throws Exception {
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(conf);
      yarn.start();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        if (job.refresh().status() == JobStatus.RUNNING) {
          for (ApplicationReport app : yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE),
              EnumSet.of(YarnApplicationState.RUNNING), Set.of(MasterStarter.tag(f.id())))) {
            for (ApplicationAttemptReport attempt : yarn.getApplicationAttempts(app.getApplicationId())) {
              for (ContainerReport c : yarn.getContainers(attempt.getApplicationAttemptId())) {
                if (!c.getContainerId().equals(attempt.getAMContainerId())) {
                  long memory = c.getAllocatedResource().getMemorySize();
                  assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
                  return memory;
                }
              }
            }
          }
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("job " + job.id() + " never ran on an executor we could see: " + job.status());
  }

  @Test
  void deleteIsRefusedWhileAJobRunsThenRemovesJobsAndLogsButKeepsResults(Configuration conf) throws Exception {
    Function sleepy = function("sleepy").build().save();
    Job slow = sleepy.call(4);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (slow.refresh().status() != JobStatus.RUNNING && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> sleepy.delete(false));
    assertTrue(refused.getMessage().contains("running job"), refused.getMessage());
    assertEquals(JobStatus.SUCCESS, slow.waitForCompletion(WAIT), slow::errorReason);
    assertTrue(Function.get(spool, sleepy.id()).enabled(), "a refused delete leaves the function as it was");

    BlobStore blobs = BlobStore.open(conf);
    String owner = sleepy.owner();
    String logs = "users/" + owner + "/logs/" + sleepy.id();
    assertTrue(blobs.exists(logs));
    sleepy.delete(false);
    assertThrows(NotFoundException.class, () -> Function.get(spool, sleepy.id()));
    assertThrows(NotFoundException.class, () -> Job.get(spool, slow.id()));
    assertFalse(blobs.exists(logs), "logs are deleted with the function");
    assertFalse(blobs.exists(BlobStore.bundle(owner, sleepy.id())), "the bundle is deleted with the function");
    assertEquals("4", new String(Blob.get(spool, sleepy.id() + "/" + slow.id()).data()),
        "results outlive their function");

    Function other = function("sleepy").build().save();
    Job quick = other.call(0);
    assertEquals(JobStatus.SUCCESS, quick.waitForCompletion(WAIT), quick::errorReason);
    other.delete(true);
    assertEquals(0, Blob.search(spool).functionId(other.id()).count(), "results deleted when asked");
  }

  @Test
  void searchFiltersSortsAndPages() throws Exception {
    String token = "search-" + UUID.randomUUID().toString().substring(0, 8);
    Function small = function("echo").name(token + "-a").memory(128).autoStart(false).build().save();
    Function large = function("echo").name(token + "-b").memory(512).autoStart(false).build().save();
    Function middle = function("echo").name(token + "-c").memory(300).autoStart(false).build().save();
    awaitStatus(middle, FunctionStatus.STOPPED);
    List<String> byMemoryDesc = Function.search(spool).nameContains(token.toUpperCase())
        .sortBy(FunctionSearch.Sort.MEMORY, false).list().stream().map(Function::id).toList();
    assertEquals(List.of(large.id(), middle.id(), small.id()), byMemoryDesc);
    assertEquals(List.of(middle.id(), large.id()), Function.search(spool).nameContains(token).memoryAtLeast(300)
        .sortBy(FunctionSearch.Sort.NAME, false).page(0, 5).stream().map(Function::id).toList());
    assertEquals(List.of(middle.id()), Function.search(spool).nameContains(token)
        .sortBy(FunctionSearch.Sort.NAME, true).page(1, 2).stream().map(Function::id).toList());
    assertEquals(1, Function.search(spool).nameContains(token).status(FunctionStatus.STOPPED)
        .memoryAtMost(200).count());
    assertEquals(0, Function.search(spool).nameContains(token).createdAfter(Instant.now().plusSeconds(60)).count());
    IllegalArgumentException badPage = assertThrows(IllegalArgumentException.class,
        () -> Function.search(spool).page(-1, 10));
    assertTrue(badPage.getMessage().contains("page number must be 0 or more"), badPage.getMessage());
  }
}
