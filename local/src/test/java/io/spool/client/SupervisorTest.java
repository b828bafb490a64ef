package io.spool.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.UUID;
import java.util.function.BooleanSupplier;
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
 * The supervisor on the embedded cluster: one of two is active and the other takes over when its session ends; it
 * restarts a master that died with its YARN attempts used up, with no client call; it leaves STOPPED and disabled
 * functions alone; it stops restarting a master that ends at once, names why, and {@code start()} resumes.
 *
 * <p>These functions live under a ZooKeeper root of their own, so that the two supervisors here are the only ones
 * of that root (the cluster's own server supervises the default root) and can run with short back-offs. Their
 * masters get one YARN attempt each: a killed master has used up its attempts.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class SupervisorTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final String MASTER_CLASS = "io.spool.appmaster.FunctionMaster";

  private Configuration conf;
  private Spool client;
  private final List<Spool> supervisorConnections = new ArrayList<>();
  private final List<Supervisor> supervisors = new ArrayList<>();
  private YarnClient yarn;
  private String jobsPy;

  @BeforeAll
  void start(Configuration clusterConf) throws Exception {
    conf = new Configuration(clusterConf);
    conf.set(SpoolConfig.ZOOKEEPER_ROOT, "/spool-supervised-" + UUID.randomUUID().toString().substring(0, 8));
    conf.setInt(SpoolConfig.MASTER_MAX_ATTEMPTS, 1);
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 5_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    conf.setLong(SpoolConfig.SUPERVISOR_POLL_INTERVAL_MS, 500);
    conf.setLong(SpoolConfig.SUPERVISOR_GRACE_MS, 500);
    conf.setLong(SpoolConfig.SUPERVISOR_BACKOFF_INITIAL_MS, 500);
    conf.setLong(SpoolConfig.SUPERVISOR_BACKOFF_MAX_MS, 2_000);
    conf.setInt(SpoolConfig.SUPERVISOR_RESTART_LIMIT, 3);
    client = Spool.connect(conf);
    supervisors.add(newSupervisor());
    supervisors.add(newSupervisor());
    yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    jobsPy = Paths.get(SupervisorTest.class.getResource("/python/jobs.py").toURI()).toString();
    await(() -> active() != null, "a supervisor became active");
  }

  private Supervisor newSupervisor() {
    Spool own = Spool.connect(conf);
    supervisorConnections.add(own);
    return Supervisor.start(conf, own, Supervisor.Owners.single(own));
  }

  @AfterAll
  void close() {
    supervisors.forEach(Supervisor::close);
    supervisorConnections.forEach(Spool::close);
    yarn.stop();
    client.close();
  }

  @Test
  void oneOfTwoIsActiveAndTheOtherTakesOverWhenItsSessionEnds() throws Exception {
    Supervisor first = active();
    Supervisor other = supervisors.get(0) == first ? supervisors.get(1) : supervisors.get(0);
    assertEquals("active", first.status().state());
    assertEquals("standby", other.status().state());
    assertEquals(first.id(), other.status().leader(), "the standby knows the active one");
    assertEquals(0, other.status().functionsSupervised());

    supervisorConnections.get(supervisors.indexOf(first)).store().curator().getZookeeperClient().getZooKeeper()
        .getTestable().injectSessionExpiration();
    await(other::active, "the standby took over when the active one's session ended");
    await(() -> "standby".equals(first.status().state()), "the former active one stands by with a new session");
    assertFalse(first.active(), "exactly one is active");
    assertEquals(other.id(), first.status().leader());
  }

  @Test
  void aMasterKilledWithItsAttemptsUsedUpIsRestartedWithNoClientCall() throws Exception {
    Function f = Function.builder(client, jobsPy + ":sleepy").memory(256).maximumConcurrency(2).build().save();
    f.waitUntilBuilt(WAIT);
    int n = 40;
    f.map(repeat(List.of(0.25), n));
    await(() -> succeeded(f) >= 4, "the first jobs ran");
    int restartsBefore = active().status().restarts();
    ApplicationReport first = activeMasters(f.id()).get(0);
    killMaster(f.id());
    await(() -> !activeMasters(f.id()).contains(first), "YARN ended the killed master (one attempt)");

    await(() -> succeeded(f) == n, "every job ended SUCCESS with no client call");
    assertTrue(active().status().restarts() > restartsBefore, "the supervisor started a master");
    assertTrue(masters(f.id(), null).size() >= 2, "a new master ran the rest");
    Map<JobStatus, Long> counts = f.jobStatistics();
    assertEquals((long) n, counts.get(JobStatus.SUCCESS), "each job counted once: " + counts);
    assertEquals((long) n, f.jobs().count(), "no job recorded twice");
    List<String> ids = f.jobs().stream().map(Job::id).toList();
    for (var job : client.store().jobs(ids).values()) {
      assertEquals(0, job.value().failures(), job.value().id() + " was charged a retry");
    }
  }

  @Test
  void stoppedAndDisabledFunctionsAreLeftAlone() throws Exception {
    Function stopped = Function.builder(client, jobsPy + ":sleepy").memory(256).build().save();
    stopped.waitUntilBuilt(WAIT);
    stopped.stop();
    stopped.map(repeat(List.of(0.1), 3));

    Function disabled = Function.builder(client, jobsPy + ":sleepy").memory(256).maximumConcurrency(1).build()
        .save();
    disabled.waitUntilBuilt(WAIT);
    disabled.map(repeat(List.of(2.0), 4));
    await(() -> disabled.jobStatistics().getOrDefault(JobStatus.RUNNING, 0L) > 0, "a job of it runs");
    disabled.disable();
    killMaster(disabled.id());
    await(() -> activeMasters(disabled.id()).isEmpty(), "its master ended");

    // several of the supervisor's rounds (0.5 s apart, 0.5 s grace)
    Thread.sleep(6_000);
    assertTrue(activeMasters(stopped.id()).isEmpty(), "no master was started for the STOPPED function");
    assertTrue(activeMasters(disabled.id()).isEmpty(), "no master was started for the disabled function");
    assertEquals(3L, stopped.jobStatistics().get(JobStatus.PENDING));
    assertTrue(disabled.jobStatistics().values().stream().mapToLong(Long::longValue).sum()
        > disabled.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L), "the disabled function's work waits");

    disabled.enable();
    await(() -> disabled.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L) == 4,
        "once enabled, the supervisor ran its work");
  }

  @Test
  void aMasterThatEndsAtOnceIsRestartedUpToTheLimitAndStartResumesIt() throws Exception {
    Function f = Function.builder(client, jobsPy + ":sleepy").memory(256).build().save();
    f.waitUntilBuilt(WAIT);
    String image = client.store().function(f.id()).orElseThrow().value().image();
    // as if the administrator had removed the function's image from the configuration: every master fails at once
    client.store().updateFunction(f.id(), r -> r.image("removed-image"));
    int stoppedBefore = active().status().stopped();
    f.map(repeat(List.of(0.1), 3));

    await(() -> Function.get(client, f.id()).status() == FunctionStatus.STOPPED, "the supervisor gave up");
    Function given = Function.get(client, f.id());
    assertTrue(given.statusReason().contains("started its master 3 times"), given.statusReason());
    assertTrue(given.statusReason().contains("spool function start " + f.id()), given.statusReason());
    assertTrue(given.statusReason().contains("unknown image 'removed-image'"),
        "names the last master's diagnostics: " + given.statusReason());
    assertEquals(stoppedBefore + 1, active().status().stopped());
    List<ApplicationReport> all = masters(f.id(), null);
    assertEquals(4, all.size(), "the client's master and the supervisor's 3: " + all);
    Thread.sleep(3_000);
    assertEquals(4, masters(f.id(), null).size(), "no restart after the limit");
    assertEquals(3L, f.jobStatistics().get(JobStatus.PENDING), "its jobs wait");

    client.store().updateFunction(f.id(), r -> r.image(image));
    given.start();
    await(() -> f.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L) == 3, "start() resumed it");
    assertEquals(FunctionStatus.READY, Function.get(client, f.id()).status());
  }

  private Supervisor active() {
    Supervisor found = null;
    for (Supervisor s : supervisors) {
      if (s.active()) {
        assertEquals(null, found, "two supervisors are active");
        found = s;
      }
    }
    return found;
  }

  private static long succeeded(Function f) {
    return f.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L);
  }

  private static List<List<Object>> repeat(List<Object> args, int n) {
    List<List<Object>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(args);
    }
    return all;
  }

  private List<ApplicationReport> activeMasters(String functionId) {
    return masters(functionId, EnumSet.of(YarnApplicationState.NEW, YarnApplicationState.NEW_SAVING,
        YarnApplicationState.SUBMITTED, YarnApplicationState.ACCEPTED, YarnApplicationState.RUNNING));
  }

  private List<ApplicationReport> masters(String functionId, EnumSet<YarnApplicationState> states) {
    try {
      return yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE), states, Set.of(MasterStarter.tag(functionId)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void killMaster(String functionId) throws InterruptedException {
    await(() -> masterProcess(functionId) != null, "the master of " + functionId + " runs");
    ProcessHandle master = masterProcess(functionId);
    assertTrue(master.destroyForcibly(), "could not kill the master");
  }

  private static ProcessHandle masterProcess(String functionId) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(MASTER_CLASS) && c.contains(functionId)).orElse(false))
        .findFirst().orElse(null);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(200);
    }
  }
}
