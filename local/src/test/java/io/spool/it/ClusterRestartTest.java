package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Functions, jobs, results and logs outlive a stop and start of the embedded cluster; new work runs after it, and
 * work that was under way goes on by itself.
 */
class ClusterRestartTest {

  private static final Duration WAIT = Duration.ofMinutes(3);

  @Test
  @Timeout(400)
  void functionsJobsResultsAndLogsSurviveARestart() throws Exception {
    Path target = Paths.get(System.getProperty("basedir", "."), "target").toAbsolutePath();
    Files.createDirectories(target);
    Path dir = Files.createTempDirectory(target, "restart-cluster-");
    String jobsPy = Paths.get(ClusterRestartTest.class.getResource("/python/jobs.py").toURI()).toString();
    String functionId;
    String jobId;
    try (EmbeddedCluster cluster = EmbeddedCluster.start(dir); Spool spool = Spool.connect(configuration(cluster))) {
      Function hello = Function.builder(spool, jobsPy + ":hello").memory(256).build().save();
      Job job = hello.call(1);
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
      functionId = hello.id();
      jobId = job.id();
    }
    try (EmbeddedCluster cluster = EmbeddedCluster.start(dir); Spool spool = Spool.connect(configuration(cluster))) {
      Function hello = Function.get(spool, functionId);
      assertEquals(FunctionStatus.READY, hello.status());
      Job job = Job.get(spool, jobId);
      assertEquals(JobStatus.SUCCESS, job.status());
      assertEquals("hello 1", job.result());
      assertTrue(job.log().contains("saying hello to 1"), job.log());
      Job again = hello.call(2);
      assertEquals(JobStatus.SUCCESS, again.waitForCompletion(WAIT), again::errorReason);
      assertEquals("hello 2", again.result());
    }
  }

  /**
   * A run stopped midway by a stop of the cluster finishes after its start with no client call: the cluster's
   * supervisor starts the function's master, which need not wait for the dead master's session (ZooKeeper's default
   * timeout here) to expire. Each job ends SUCCESS once, with its result readable.
   */
  @Test
  @Timeout(400)
  void aRunStoppedMidwayByARestartFinishesWithNoClientCall() throws Exception {
    Path dir = Files.createTempDirectory(target(), "restart-midway-");
    String sleepy = Paths.get(ClusterRestartTest.class.getResource("/python/jobs.py").toURI()) + ":sleepy";
    int n = 60;
    String functionId;
    try (EmbeddedCluster cluster = EmbeddedCluster.start(dir); Spool spool = Spool.connect(runConfiguration(cluster))) {
      Function f = Function.builder(spool, sleepy).memory(256).maximumConcurrency(2).build().save();
      f.waitUntilBuilt(WAIT);
      List<List<Object>> args = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        args.add(List.of(0.2));
      }
      f.map(args);
      functionId = f.id();
      await(() -> f.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L) >= 5, "the run began");
    }
    try (EmbeddedCluster cluster = EmbeddedCluster.start(dir)) {
      Configuration conf = runConfiguration(cluster);
      try (StateStore store = TestSetup.store(conf)) {
        long before = store.jobStatistics(functionId).asMap().getOrDefault(JobStatus.SUCCESS, 0L);
        assertTrue(before < n, "the stop came before the run's end (" + before + " of " + n + " done)");
        // only ZooKeeper reads from here: nothing a client does starts a master
        await(() -> store.jobStatistics(functionId).asMap().getOrDefault(JobStatus.SUCCESS, 0L) == n,
            "every job ended SUCCESS with no client attached");
      }
      try (Spool spool = Spool.connect(conf)) {
        Function f = Function.get(spool, functionId);
        assertEquals((long) n, f.jobStatistics().get(JobStatus.SUCCESS), "each job counted once");
        assertEquals((long) n, f.jobs().count(), "no job recorded twice");
        f.jobs().stream().forEach(job -> assertEquals("0.2", String.valueOf(job.result()), job.id()));
      }
    }
  }

  private static Path target() throws java.io.IOException {
    Path target = Paths.get(System.getProperty("basedir", "."), "target").toAbsolutePath();
    Files.createDirectories(target);
    return target;
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(200);
    }
  }

  /** The cluster's client configuration with ZooKeeper's session timeout as configured by default. */
  private static Configuration runConfiguration(EmbeddedCluster cluster) {
    Configuration conf = cluster.clientConfiguration();
    conf.set(SpoolConfig.DIST_JAR, Paths.get(System.getProperty(SpoolClusterExtension.DIST_JAR_PROPERTY))
        .toAbsolutePath().normalize().toString());
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 10_000);
    return conf;
  }

  private static Configuration configuration(EmbeddedCluster cluster) {
    Configuration conf = cluster.clientConfiguration();
    conf.set(SpoolConfig.DIST_JAR, Paths.get(System.getProperty(SpoolClusterExtension.DIST_JAR_PROPERTY))
        .toAbsolutePath().normalize().toString());
    // a master of the first run holds its lock until its session expires after the restart
    conf.setInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, 6_000);
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 10_000);
    return conf;
  }
}
