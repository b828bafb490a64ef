package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.internal.MasterStarter;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

/**
 * Spool as YARN sees it: masters named and placed by their function, a master killed through YARN replaced without
 * loss, and the distribution jar run the way {@code yarn jar} runs it.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(400)
class YarnIntegrationTest {

  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final EnumSet<YarnApplicationState> ACTIVE = EnumSet.of(YarnApplicationState.ACCEPTED,
      YarnApplicationState.RUNNING, YarnApplicationState.SUBMITTED, YarnApplicationState.NEW,
      YarnApplicationState.NEW_SAVING);

  private Configuration conf;
  private Spool spool;
  private YarnClient yarn;
  private String jobsPy;

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    // a killed master's lock goes with its ZooKeeper session: keep sessions short so the next master takes over soon
    conf.setInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, 6_000);
    this.conf = conf;
    spool = Spool.connect(conf);
    yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    jobsPy = Paths.get(YarnIntegrationTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  @AfterAll
  void close() throws Exception {
    yarn.close();
    spool.close();
  }

  private List<ApplicationReport> masters(String functionId, EnumSet<YarnApplicationState> states) throws Exception {
    return yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE), states, Set.of(MasterStarter.tag(functionId)));
  }

  private ApplicationReport awaitRunningMaster(String functionId) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<ApplicationReport> running = masters(functionId, EnumSet.of(YarnApplicationState.RUNNING));
      if (!running.isEmpty()) {
        return running.get(0);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no running master of " + functionId);
  }

  @Test
  void aMasterKilledThroughYarnIsReplacedByTheWaitingClientAndItsJobsRunAgainUncharged() throws Exception {
    Function f = Function.builder(spool, jobsPy + ":sleepy").memory(256).maximumConcurrency(3).build().save();
    List<List<Object>> args = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      args.add(List.of(4));
    }
    List<Job> jobs = f.map(args);
    ApplicationReport first = awaitRunningMaster(f.id());
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (jobs.stream().noneMatch(j -> j.refresh().status() == JobStatus.RUNNING) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(jobs.stream().anyMatch(j -> j.status() == JobStatus.RUNNING), "no job started");

    yarn.killApplication(first.getApplicationId(), "killed by " + getClass().getSimpleName());

    // the client's wait notices that the master is gone and starts the next one
    for (Job job : jobs) {
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    }
    assertEquals(YarnApplicationState.KILLED, yarn.getApplicationReport(first.getApplicationId()).getYarnApplicationState());
    List<ApplicationReport> all = masters(f.id(), null);
    assertTrue(all.size() >= 2, "a next master was started: " + all);
    try (StateStore store = TestSetup.store(conf)) {
      Map<String, Versioned<JobRecord>> records = store.jobs(jobs.stream().map(Job::id).toList());
      assertTrue(records.values().stream().anyMatch(v -> v.value().executionCount() >= 2),
          "a job that ran when the master was killed ran again");
      for (Versioned<JobRecord> v : records.values()) {
        assertEquals(0, v.value().failures(), v.value().id() + " was charged a failure");
      }
    }
    assertEquals((long) jobs.size(), f.jobStatistics().get(JobStatus.SUCCESS), "each job counted once");
  }

  @Test
  void aMasterIsNamedTaggedAndPlacedByItsFunction() throws Exception {
    Function f = Function.builder(spool, jobsPy + ":echo").name("echoes").memory(256).priority(3).queue("default")
        .build().save();
    assertEquals(JobStatus.SUCCESS, f.call(2).waitForCompletion(WAIT));
    ApplicationReport app = masters(f.id(), null).get(0);
    assertEquals("spool:echoes:" + f.id(), app.getName());
    assertEquals(MasterStarter.APPLICATION_TYPE, app.getApplicationType());
    assertEquals(Set.of("spool-function-" + f.id()), app.getApplicationTags());
    assertTrue(app.getQueue().equals("default") || app.getQueue().equals("root.default"), app.getQueue());
    assertEquals(3, app.getPriority().getPriority());
    assertEquals(3, f.priority());
  }

  @Test
  void placementThatTheClusterCannotMeetIsRefusedAtSaveNamingIt() {
    IllegalArgumentException queue = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, jobsPy + ":echo").queue("nosuchqueue").build().save());
    assertTrue(queue.getMessage().contains("'nosuchqueue' does not exist") && queue.getMessage().contains("default"),
        queue.getMessage());
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, jobsPy + ":echo").nodeLabel("gpu").build().save());
    assertTrue(label.getMessage().contains("node label 'gpu'"), label.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Function.builder(spool, jobsPy + ":echo").priority(-1));
    assertThrows(IllegalArgumentException.class, () -> Function.builder(spool, jobsPy + ":echo").queue("a b"));
  }

  @Test
  void theDistributionJarRunsThroughHadoopsRunJar(EmbeddedCluster cluster, @TempDir Path dir) throws Exception {
    Function f = Function.builder(spool, jobsPy + ":hello").memory(256).build().save();
    Path hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
    Path spoolConf = Files.createDirectories(dir.resolve("spool-conf"));
    writeSplitConfiguration(cluster, hadoopConf, spoolConf);

    Child submit = runJar(hadoopConf, spoolConf, dir, "job", "submit", f.id(), "5", "--wait", "--timeout", "240");
    assertEquals(0, submit.exit(), submit.output());
    assertTrue(submit.output().contains("done: SUCCESS=1"), submit.output());
    Job job = f.jobs().list().get(0);
    assertEquals(JobStatus.SUCCESS, job.status());
    assertEquals("hello 5", job.result());

    Child badQueue = runJar(hadoopConf, spoolConf, dir, "function", "create", jobsPy + ":hello", "--queue",
        "nosuchqueue");
    assertEquals(2, badQueue.exit(), badQueue.output());
    assertTrue(badQueue.output().contains("YARN queue 'nosuchqueue' does not exist"), badQueue.output());
  }

  /**
   * Writes the cluster's client settings as a Hadoop client directory would hold them (core-, hdfs- and yarn-site)
   * and Spool's own keys as {@code spool-site.xml}.
   */
  private static void writeSplitConfiguration(EmbeddedCluster cluster, Path hadoopConf, Path spoolConf)
      throws IOException {
    Path all = cluster.writeClientConfiguration(hadoopConf.resolve("all.xml"));
    Configuration settings = new Configuration(false);
    settings.addResource(new org.apache.hadoop.fs.Path(all.toUri()));
    Map<String, Configuration> files = Map.of("core-site.xml", new Configuration(false), "hdfs-site.xml",
        new Configuration(false), "yarn-site.xml", new Configuration(false), "spool-site.xml", new Configuration(false));
    for (Map.Entry<String, String> e : settings) {
      String key = e.getKey();
      String file = key.startsWith("spool.") ? "spool-site.xml" : key.startsWith("yarn.") ? "yarn-site.xml"
          : key.startsWith("dfs.") ? "hdfs-site.xml" : "core-site.xml";
      files.get(file).set(key, e.getValue());
    }
    Files.delete(all);
    for (Map.Entry<String, Configuration> file : files.entrySet()) {
      Path target = (file.getKey().equals("spool-site.xml") ? spoolConf : hadoopConf).resolve(file.getKey());
      try (OutputStream out = Files.newOutputStream(target)) {
        file.getValue().writeXml(out);
      }
    }
    Files.writeString(hadoopConf.resolve("log4j.properties"), "log4j.rootLogger=WARN,console\n"
        + "log4j.appender.console=org.apache.log4j.ConsoleAppender\n"
        + "log4j.appender.console.target=System.err\n"
        + "log4j.appender.console.layout=org.apache.log4j.PatternLayout\n"
        + "log4j.appender.console.layout.ConversionPattern=%d %p %c: %m%n\n");
  }

  private record Child(int exit, String output) {}

  /**
   * Runs {@code yarn jar <dist jar> args...} as Hadoop's launcher does: a JVM whose classpath is the Hadoop
   * configuration directory and Hadoop's jars (here: the test classpath without Spool's classes and picocli, which
   * only the distribution jar carries), running {@code org.apache.hadoop.util.RunJar}.
   */
  private static Child runJar(Path hadoopConf, Path spoolConf, Path dir, String... args) throws Exception {
    String distJar = System.getProperty(SpoolClusterExtension.DIST_JAR_PROPERTY);
    assertNotEquals(null, distJar, "the distribution jar's path");
    List<String> hadoopClasspath = new ArrayList<>();
    hadoopClasspath.add(hadoopConf.toString());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Paths.get(entry);
      String name = p.getFileName().toString();
      boolean spoolsOwn = Files.isDirectory(p) || entry.contains("/io/spool/") || name.startsWith("spool-")
          || name.startsWith("picocli");
      if (!spoolsOwn) {
        hadoopClasspath.add(entry);
      }
    }
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-cp", String.join(File.pathSeparator, hadoopClasspath),
        "org.apache.hadoop.util.RunJar", Paths.get(distJar).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "runjar", ".out");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("HADOOP_CONF_DIR", hadoopConf.toString());
    builder.environment().put("SPOOL_CONF_DIR", spoolConf.toString());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("yarn jar did not end: " + Files.readString(output, StandardCharsets.UTF_8));
    }
    return new Child(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
