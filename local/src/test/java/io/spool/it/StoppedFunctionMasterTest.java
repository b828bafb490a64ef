package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.internal.MasterStarter;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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

/**
 * A STOPPED function holds no application master: its master exits once none of its jobs runs, a submission to it
 * starts none, and its pending jobs run when it is started again. Masters count against the scheduler's share for
 * application masters, so idle ones of stopped functions would keep new functions' masters waiting.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class StoppedFunctionMasterTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  /** Far longer than any wait here: a master that exits within the test did not exit for being idle. */
  private static final long IDLE_EXIT_MS = 600_000;
  private static final Set<YarnApplicationState> ACTIVE = EnumSet.of(YarnApplicationState.NEW,
      YarnApplicationState.NEW_SAVING, YarnApplicationState.SUBMITTED, YarnApplicationState.ACCEPTED,
      YarnApplicationState.RUNNING);

  private Spool spool;
  private YarnClient yarn;
  private final List<Function> created = new ArrayList<>();

  @BeforeAll
  void connect(Configuration conf) {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, IDLE_EXIT_MS);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    spool = Spool.connect(conf);
    yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
  }

  @AfterAll
  void close() throws Exception {
    for (Function f : created) {
      f.delete(true);
      awaitNoActiveMaster(f, Duration.ofSeconds(30));
    }
    yarn.close();
    spool.close();
  }

  private Function save(Function.Builder builder) {
    Function f = builder.build().save();
    created.add(f);
    return f;
  }

  private Function.Builder echo() {
    return Function.builder(spool, TestSetup.python("jobs.py") + ":echo").memory(256).maximumConcurrency(1);
  }

  private static List<List<Object>> args(int n) {
    List<List<Object>> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      args.add(List.of(i));
    }
    return args;
  }

  private List<ApplicationReport> activeMasters(Function f) throws Exception {
    return yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE), EnumSet.copyOf(ACTIVE),
        Set.of(MasterStarter.tag(f.id())));
  }

  /** Waits until no master of {@code f} is an active YARN application; fails after {@code within}. */
  private void awaitNoActiveMaster(Function f, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    List<ApplicationReport> active = activeMasters(f);
    while (!active.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      active = activeMasters(f);
    }
    List<ApplicationReport> left = active;
    assertTrue(left.isEmpty(), () -> "the master of function " + f.id() + " (" + f.refresh().status()
        + ") is still active after " + within.toSeconds() + " s: " + left);
  }

  private static void awaitStatus(Function f, FunctionStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (f.refresh().status() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(status, f.status());
  }

  @Test
  void stoppedFunctionsMasterExitsWhileItsJobsWaitAndTheyRunAfterStart() throws Exception {
    Function f = save(echo());
    awaitStatus(f, FunctionStatus.READY);
    assertEquals(JobStatus.SUCCESS, f.call(0).waitForCompletion(WAIT));
    f.stop();
    List<Job> jobs = f.map(args(200));
    awaitNoActiveMaster(f, Duration.ofSeconds(30));
    assertEquals(200L, f.jobStatistics().get(JobStatus.PENDING), () -> f.jobStatistics().toString());

    f.start();
    Map<JobStatus, Long> done = f.waitForCompletion(WAIT);
    assertEquals(201L, done.get(JobStatus.SUCCESS), done::toString);
    assertEquals(JobStatus.SUCCESS, jobs.get(199).refresh().status());
  }

  @Test
  void submissionToAStoppedFunctionStartsNoMaster() throws Exception {
    Function f = save(echo().autoStart(false));
    awaitStatus(f, FunctionStatus.STOPPED);
    awaitNoActiveMaster(f, Duration.ofSeconds(30));
    List<Job> jobs = f.map(args(20));
    // a master is submitted to YARN before map returns, if at all
    assertEquals(List.of(), activeMasters(f), "a submission to a STOPPED function started a master");

    f.start();
    for (Job job : List.of(jobs.get(0), jobs.get(19))) {
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    }
  }

  @Test
  void stopDuringTheBuildLetsTheBuildFinishAndKeepsTheFunctionStopped() throws Exception {
    Function f = save(Function.builder(spool, "geo_pkg.sub.reader.idna_version").memory(256)
        .includeModules(List.of("geo_pkg.sub")).requirements(List.of("idna==3.20"))
        .pythonPath(List.of(Paths.get(StoppedFunctionMasterTest.class.getResource("/python/pkgs").toURI()))));
    assertEquals(FunctionStatus.BUILDING, f.status());
    f.stop();
    Job job = f.call();
    awaitStatus(f, FunctionStatus.STOPPED);
    awaitNoActiveMaster(f, Duration.ofSeconds(30));
    assertEquals(JobStatus.PENDING, job.refresh().status());

    f.start();
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), () -> job.errorReason() + "\n" + f.buildLog());
    assertEquals("3.20", job.result(), "the job runs in the environment built for the function");
  }

  @Test
  void deletedFunctionsMasterEndsAtOnce() throws Exception {
    Function f = echo().build().save();
    awaitStatus(f, FunctionStatus.READY);
    f.stop();
    f.map(args(50));
    f.delete(true);
    awaitNoActiveMaster(f, Duration.ofSeconds(10));
  }
}
