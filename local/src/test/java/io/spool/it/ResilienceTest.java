package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.internal.MasterStarter;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.JobProcess;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Nothing is lost when executors, masters or ZooKeeper die; masters scale to zero and are one per function. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(400)
class ResilienceTest {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private Configuration conf;
  private Spool spool;
  private YarnClient yarn;
  private String jobsPy;

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 5_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    // a killed master's lock goes with its session: keep sessions short so a new attempt takes over quickly
    conf.setInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, 6_000);
    this.conf = conf;
    spool = Spool.connect(conf);
    yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    jobsPy = Paths.get(ResilienceTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  @AfterAll
  void close() throws Exception {
    yarn.close();
    spool.close();
  }

  private Function sleepy(int concurrency) {
    return sleepy(concurrency, JobProcess.FRESH);
  }

  private Function sleepy(int concurrency, JobProcess process) {
    return Function.builder(spool, jobsPy + ":sleepy").memory(256).maximumConcurrency(concurrency)
        .jobProcess(process).build().save();
  }

  private List<ApplicationReport> masters(String functionId, EnumSet<YarnApplicationState> states) throws Exception {
    return yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE), states, Set.of(MasterStarter.tag(functionId)));
  }

  private static List<Job> submit(Function f, int n, double seconds) {
    List<List<Object>> args = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      args.add(List.of(seconds));
    }
    return f.map(args);
  }

  /** Waits until {@code n} of the jobs have ended. */
  private static void awaitEnded(List<Job> jobs, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (jobs.get(0).functionId() != null && countEnded(jobs) >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("fewer than " + n + " jobs ended in time");
  }

  private static int countEnded(List<Job> jobs) {
    int ended = 0;
    for (Job job : jobs) {
      if (job.status().isTerminal() || job.refresh().status().isTerminal()) {
        ended++;
      }
    }
    return ended;
  }

  /** Every job ended SUCCESS, exactly once each, and none was charged a retry. */
  private void assertAllSucceededUncharged(Function f, List<Job> jobs) throws Exception {
    for (Job job : jobs) {
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    }
    try (StateStore store = TestSetup.store(conf)) {
      Map<String, Versioned<JobRecord>> records = store.jobs(jobs.stream().map(Job::id).toList());
      assertEquals(jobs.size(), records.size());
      for (Versioned<JobRecord> v : records.values()) {
        assertEquals(0, v.value().failures(), v.value().id() + " was charged a retry");
      }
    }
    assertEquals((long) jobs.size(), f.jobStatistics().get(JobStatus.SUCCESS), "each job counted once");
    assertEquals((long) jobs.size(), f.jobs().count(), "no job recorded twice");
  }

  private static long pidOf(String mainClass, String argument) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(mainClass) && c.contains(argument)).orElse(false))
        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  private static Optional<ProcessHandle> executorOf(String applicationId) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("io.spool.runner.ExecutorMain")).orElse(false))
        .filter(p -> {
          try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString()
                .contains(applicationId);
          } catch (Exception e) {
            return false;
          }
        }).findFirst();
  }

  @Test
  void masterScalesToZeroAndTheNextSubmissionStartsOne() throws Exception {
    Function f = sleepy(1);
    assertEquals(JobStatus.SUCCESS, f.call(0).waitForCompletion(WAIT));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!masters(f.id(), EnumSet.of(YarnApplicationState.RUNNING, YarnApplicationState.ACCEPTED)).isEmpty()
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    List<ApplicationReport> ended = masters(f.id(), EnumSet.of(YarnApplicationState.FINISHED));
    assertEquals(1, ended.size(), "the idle master exited");
    Job again = f.call(0);
    assertEquals(JobStatus.SUCCESS, again.waitForCompletion(WAIT), again::errorReason);
    assertEquals(2, masters(f.id(), null).size(), "the submission started a new master");
  }

  @ParameterizedTest
  @EnumSource(JobProcess.class)
  void aKilledExecutorsJobsRunAgainUnchargedAndNoneIsLost(JobProcess process) throws Exception {
    Function f = sleepy(4, process);
    List<Job> jobs = submit(f, 300, 0.02);
    awaitEnded(jobs, 40);
    String app = masters(f.id(), EnumSet.of(YarnApplicationState.RUNNING)).get(0).getApplicationId().toString();
    ProcessHandle executor = executorOf(app).orElseThrow(() -> new AssertionError("no executor process of " + app));
    assertTrue(executor.destroyForcibly(), "could not kill the executor");
    assertAllSucceededUncharged(f, jobs);
  }

  @ParameterizedTest
  @EnumSource(JobProcess.class)
  void aKilledMasterIsReplacedByANewAttemptThatFinishesEveryJob(JobProcess process) throws Exception {
    Function f = sleepy(4, process);
    List<Job> jobs = submit(f, 300, 0.02);
    awaitEnded(jobs, 40);
    long master = pidOf("io.spool.appmaster.FunctionMaster", f.id());
    assertTrue(master > 0, "no master process for " + f.id());
    assertTrue(ProcessHandle.of(master).orElseThrow().destroyForcibly());
    assertAllSucceededUncharged(f, jobs);
    ApplicationReport app = masters(f.id(), null).get(0);
    assertTrue(yarn.getApplicationAttempts(app.getApplicationId()).size() >= 2, "YARN started a new attempt");
  }

  @ParameterizedTest
  @EnumSource(JobProcess.class)
  void aJobOnAnExecutorSilentPastItsTimeoutRunsAgainElsewhereUncharged(JobProcess process, @TempDir Path dir)
      throws Exception {
    Configuration silent = new Configuration(conf);
    silent.setLong(SpoolConfig.EXECUTOR_SILENT_GRACE_MS, 3_000);
    try (Spool quick = Spool.connect(silent)) {
      // the runner of the job's first attempt is frozen (SIGSTOP); with retryCount 0 the job can only succeed if the
      // master gives up on that executor without charging the job
      Function sleeper = Function.builder(quick, jobsPy + ":sleep_recording_pid").memory(256).timeout(3)
          .maximumConcurrency(1).jobProcess(process).build().save();
      Path pidFile = dir.resolve("pid");
      Job job = sleeper.call(1, pidFile.toString());
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
      Path childPid = dir.resolve("pid2");
      Job frozen = sleeper.call(2, childPid.toString());
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!(Files.exists(childPid) && Files.size(childPid) > 0) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // the job's child → the Python worker → the runner JVM
      ProcessHandle runner = ProcessHandle.of(Long.parseLong(Files.readString(childPid).trim()))
          .flatMap(ProcessHandle::parent).flatMap(ProcessHandle::parent).orElseThrow();
      assertTrue(runner.info().commandLine().orElse("").contains("ExecutorMain"), runner.info().toString());
      assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(runner.pid())).start().waitFor());
      try {
        assertEquals(JobStatus.SUCCESS, frozen.waitForCompletion(WAIT), frozen::errorReason);
        assertEquals(2, frozen.executionCount(), "the job ran again on another executor");
      } finally {
        runner.destroyForcibly();
        new ProcessBuilder("kill", "-CONT", Long.toString(runner.pid())).start().waitFor();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(JobProcess.class)
  void aRunSurvivesAZooKeeperRestart(JobProcess process, EmbeddedCluster cluster) throws Exception {
    Function f = sleepy(4, process);
    List<Job> jobs = submit(f, 120, 0.05);
    awaitEnded(jobs, 20);
    cluster.restartZooKeeper();
    assertAllSucceededUncharged(f, jobs);
  }

  @Test
  void aSecondMasterForTheSameFunctionExitsWhileTheFirstRuns() throws Exception {
    Function f = sleepy(1);
    Job longJob = f.call(40);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (longJob.refresh().status() != JobStatus.RUNNING && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    try (StateStore store = TestSetup.store(conf)) {
      FunctionRecord record = store.function(f.id()).orElseThrow().value();
      new MasterStarter(conf, store, BlobStore.open(conf), () -> yarn).startMaster(record);
    }
    deadline = System.nanoTime() + WAIT.toNanos();
    List<ApplicationReport> finished = List.of();
    while (finished.isEmpty() && System.nanoTime() < deadline) {
      finished = masters(f.id(), EnumSet.of(YarnApplicationState.FINISHED));
      Thread.sleep(500);
    }
    assertEquals(1, finished.size());
    assertTrue(finished.get(0).getDiagnostics().contains("another master is live"), finished.get(0).getDiagnostics());
    assertEquals(JobStatus.RUNNING, longJob.refresh().status(), "the first master still runs its job");
    longJob.cancel();
  }
}
