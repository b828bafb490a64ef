package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Functions, jobs, results and logs outlive a stop and start of the embedded cluster; new work runs after it. */
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
