package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.internal.MasterStarter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.core.state.NotFoundException;
import io.spool.local.SpoolClusterExtension;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.junit.jupiter.api.io.TempDir;

/** Python jobs through the whole path: client → ZooKeeper + HDFS → master → executors → results and logs. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class PythonJobsEndToEndTest {

  private static final Duration WAIT = Duration.ofMinutes(3);

  private Spool spool;
  private String jobsPy;
  private Function hello;

  @BeforeAll
  void connect(Configuration conf) throws URISyntaxException {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    spool = Spool.connect(conf);
    Path file = Paths.get(PythonJobsEndToEndTest.class.getResource("/python/jobs.py").toURI());
    jobsPy = file.toString();
    hello = function("hello").memory("256Mi").maximumConcurrency(3).build().save();
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Function.Builder function(String name) {
    return Function.builder(spool, jobsPy + ":" + name);
  }

  @Test
  void helloReturnsItsGreetingAndLogsBothStreams() throws Exception {
    Job job = hello.call(5);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), () -> job.errorReason() + "\n" + job.log());
    assertEquals("hello 5", job.result());
    String log = job.log();
    assertTrue(log.contains("saying hello to 5"), log);
    assertTrue(log.contains("hello 5 on stderr"), log);
    assertEquals(1, job.executionCount());
    assertEquals(FunctionStatus.READY, hello.refresh().status());
    assertEquals("hello", hello.name());
  }

  @Test
  void mapOfFiftyJobsGivesEachItsOwnResult() throws Exception {
    Function echo = function("echo").memory(256).maximumConcurrency(4).build().save();
    List<List<Object>> args = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      args.add(List.of(i));
    }
    List<Job> jobs = echo.map(args);
    assertEquals(50, jobs.size());
    assertEquals(1, mastersOf(echo.id()).size(), "save and map must start exactly one master");
    for (int i = 0; i < 50; i++) {
      Job job = jobs.get(i);
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
      assertEquals(Map.of("i", i, "square", i * i), job.result());
    }
  }

  @Test
  void kwargsReachTheFunction() throws Exception {
    Function greet = function("greet").memory(256).build().save();
    Job job = greet.callWith(List.of("Ada"), Map.of("punctuation", "!", "greeting", "Hi"));
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    assertEquals("Hi, Ada!", job.result());
  }

  @Test
  void argumentsLargerThanTheInlineLimitTravelThroughTheFileSystem() throws Exception {
    Function length = function("length").memory(256).build().save();
    String big = "x".repeat(40_000);
    Job job = length.callWith(List.of(big), Map.of("repeat", 3));
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    assertEquals(120_000, job.result());
    try (StateStore store = TestSetup.store(spool.configuration())) {
      JobRecord record = store.job(job.id()).orElseThrow().value();
      assertTrue(record.argsFile() != null && record.args() == null, "arguments were inlined in ZooKeeper");
    }
  }

  @Test
  void bytesComeBackAsTheSameBytes() throws Exception {
    Function raw = function("raw").memory(256).build().save();
    Job job = raw.call(256);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    byte[] expected = new byte[256];
    for (int i = 0; i < 256; i++) {
      expected[i] = (byte) i;
    }
    assertArrayEquals(expected, (byte[]) job.result());
  }

  @Test
  void exceptionFailsTheJobWithItsTypeMessageAndTraceback() throws Exception {
    Function boom = function("boom").memory(256).build().save();
    Job job = boom.call("x7");
    assertEquals(JobStatus.FAILURE, job.waitForCompletion(WAIT));
    assertEquals("jobs.TileError: tile x7 is broken", job.errorReason());
    String log = job.log();
    assertTrue(log.contains("Traceback (most recent call last)"), log);
    assertTrue(log.contains("raise TileError"), log);
    assertTrue(log.contains("working on tile x7"), log);
    IllegalStateException noResult = assertThrows(IllegalStateException.class, job::result);
    assertTrue(noResult.getMessage().contains("FAILURE"), noResult.getMessage());
  }

  @Test
  void aJobPastItsTimeoutIsKilledAndMarkedTimeout(@TempDir Path dir) throws Exception {
    Function sleepy = function("sleep_recording_pid").memory(256).timeout(2).build().save();
    Path pidFile = dir.resolve("pid");
    Job job = sleepy.call(60, pidFile.toString());
    assertEquals(JobStatus.TIMEOUT, job.waitForCompletion(WAIT));
    assertTrue(job.errorReason().contains("timed out after 2 s"), job.errorReason());
    assertTrue(job.runtime() < 30, "the job was not killed: ran " + job.runtime() + " s");
    long pid = Long.parseLong(java.nio.file.Files.readString(pidFile).trim());
    assertTrue(ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive(), "process " + pid + " lives");
  }

  @Test
  void aJobFailingTwiceSucceedsOnItsThirdAttemptWithRetryCountTwo(@TempDir Path dir) throws Exception {
    Function retried = function("flaky").memory(256).retryCount(2).build().save();
    Job job = retried.callWith(List.of(dir.resolve("twice").toString()), Map.of("failures", 2));
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    assertEquals("recovered", job.result());
    assertEquals(3, job.executionCount());
    assertTrue(job.log(1).contains("first attempt fails"), job.log(1));
    assertTrue(job.log(2).contains("attempt 2 fails"), job.log(2));
    assertTrue(job.log(3).contains("attempt 3: fine"), job.log(3));

    Function once = function("flaky").memory(256).retryCount(1).build().save();
    Job failed = once.callWith(List.of(dir.resolve("once").toString()), Map.of("failures", 2));
    assertEquals(JobStatus.FAILURE, failed.waitForCompletion(WAIT));
    assertEquals(2, failed.executionCount());
    assertEquals("RuntimeError: attempt 2 fails", failed.errorReason());
    failed.rerun();
    assertEquals(JobStatus.SUCCESS, failed.waitForCompletion(WAIT), failed::errorReason);
    assertEquals(3, failed.executionCount());
  }

  @Test
  void manyJobsReuseAFewWarmExecutorsAndNoJobSeesAnothersGlobals() throws Exception {
    Function counted = function("counted").memory(256).maximumConcurrency(4).build().save();
    List<List<Object>> args = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      args.add(List.of(i));
    }
    java.util.Set<Object> containers = new java.util.HashSet<>();
    for (Job job : counted.map(args)) {
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
      Map<?, ?> result = (Map<?, ?>) job.result();
      assertEquals(1, result.get("calls"), "a job saw another job's module global");
      containers.add(result.get("container"));
    }
    assertTrue(containers.size() <= 8, "200 jobs used " + containers.size() + " containers: " + containers);
    assertTrue(containers.stream().allMatch(c -> c != null && c.toString().startsWith("container_")), containers::toString);
  }

  @Test
  void maximumConcurrencyOfOneNeverRunsTwoJobsAtOnce() throws Exception {
    Function stamp = function("stamp").memory(256).maximumConcurrency(1).build().save();
    List<List<Object>> args = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      args.add(List.of(i, 0.3));
    }
    List<Job> jobs = stamp.map(args);
    List<Map<?, ?>> spans = new ArrayList<>();
    for (Job job : jobs) {
      assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
      spans.add((Map<?, ?>) job.result());
    }
    assertEquals(1, spans.stream().map(m -> m.get("worker")).distinct().count(),
        "one warm executor runs the jobs one after another: " + spans);
    assertEquals(6, spans.stream().map(m -> m.get("pid")).distinct().count(), "each job runs in a fresh child");
    spans.sort(Comparator.comparingDouble(m -> ((Number) m.get("start")).doubleValue()));
    for (int i = 1; i < spans.size(); i++) {
      double previousEnd = ((Number) spans.get(i - 1).get("end")).doubleValue();
      double start = ((Number) spans.get(i).get("start")).doubleValue();
      assertTrue(start >= previousEnd, "job " + spans.get(i) + " started before " + spans.get(i - 1) + " ended");
    }
  }

  @Test
  void executorContainersHaveTheMemoryAndVcoresAskedFor(Configuration conf) throws Exception {
    Function sleepy = function("sleepy").cpus("2").memory("320Mi").maximumConcurrency(1).build().save();
    Job job = sleepy.call(6);
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(conf);
      yarn.start();
      ContainerReport executor = null;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (executor == null && System.nanoTime() < deadline) {
        if (job.refresh().status() == JobStatus.RUNNING) {
          executor = executorContainer(yarn, sleepy.id());
        }
        Thread.sleep(100);
      }
      assertTrue(executor != null, "no running executor container seen; job is " + job.status());
      int overhead = conf.getInt("spool.executor.memory-overhead-mb", 384);
      assertEquals(320 + overhead, executor.getAllocatedResource().getMemorySize());
      assertEquals(2, executor.getAllocatedResource().getVirtualCores());
    }
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
  }

  private static ContainerReport executorContainer(YarnClient yarn, String functionId) throws Exception {
    List<ApplicationReport> apps = yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE),
        EnumSet.of(YarnApplicationState.RUNNING), Set.of(MasterStarter.tag(functionId)));
    for (ApplicationReport app : apps) {
      for (ApplicationAttemptReport attempt : yarn.getApplicationAttempts(app.getApplicationId())) {
        for (ContainerReport c : yarn.getContainers(attempt.getApplicationAttemptId())) {
          if (!c.getContainerId().equals(attempt.getAMContainerId())) {
            return c;
          }
        }
      }
    }
    return null;
  }

  private List<ApplicationReport> mastersOf(String functionId) throws Exception {
    try (YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(spool.configuration());
      yarn.start();
      return yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE), null, Set.of(MasterStarter.tag(functionId)));
    }
  }

  @Test
  void masterIsAYarnApplicationOfTypeSpoolNamedAfterTheFunctionAndItsId() throws Exception {
    List<ApplicationReport> apps = mastersOf(hello.id());
    assertFalse(apps.isEmpty(), "no SPOOL application tagged with function " + hello.id());
    assertEquals("spool:hello:" + hello.id(), apps.get(0).getName());
    assertEquals("SPOOL", apps.get(0).getApplicationType());
  }

  @Test
  void theMastersChannelRefusesAnExecutorWithoutTheSecret() throws Exception {
    assertEquals(JobStatus.SUCCESS, hello.call(0).waitForCompletion(WAIT));
    JsonNode live;
    try (StateStore store = TestSetup.store(spool.configuration())) {
      live = Json.tree(store.curator().getData().forPath(store.layout().masterLive(hello.id())));
    }
    try (Socket socket = new Socket(live.get("host").asText(), live.get("port").asInt())) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      ObjectNode challenge = Frames.read(in);
      assertEquals(Messages.CHALLENGE, Messages.type(challenge));
      String forged = ChannelSecret.mac(ChannelSecret.generate(), challenge.get("nonce").asText(), "container_x");
      Frames.write(out, Messages.of(Messages.HELLO).put("container", "container_x").put("mac", forged));
      ObjectNode answer = Frames.read(in);
      assertEquals(Messages.REFUSED, Messages.type(answer));
      assertEquals("authentication failed", answer.get("error").asText());
    }
  }

  @Test
  void argumentsThatAreNotJsonAreRefusedAndNothingIsCreated() {
    long before = hello.jobs().count();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hello.call(Double.NaN));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> hello.map(List.of(List.of(1), List.of(Double.NaN))));
    assertEquals(before, hello.jobs().count());
  }

  @Test
  void badResourcesAreClearErrorsWhereTheyAreSet() {
    Function.Builder b = function("hello");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.memory("2XB")).getMessage().contains("2XB"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.cpus(0)).getMessage().contains("greater than 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.cpus("-1")).getMessage().contains("cpus"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.timeout(0)).getMessage().contains("timeout"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maximumConcurrency(0)).getMessage()
        .contains("maximumConcurrency"));
  }

  @Test
  void missingEntrypointFileIsAClearErrorAndCreatesNothing() {
    int before = Function.list(spool).size();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, "/no/such/dir/nope.py:hello"));
    assertTrue(e.getMessage().contains("/no/such/dir/nope.py does not exist"), e.getMessage());
    assertEquals(before, Function.list(spool).size());
  }

  @Test
  void functionNotDefinedInTheFileFailsItsJobsNamingIt() throws Exception {
    Function missing = function("no_such_function").memory(256).build().save();
    Job job = missing.call(1);
    assertEquals(JobStatus.FAILURE, job.waitForCompletion(WAIT));
    assertTrue(job.errorReason().contains("no_such_function"), job.errorReason());
    assertTrue(job.errorReason().contains("jobs"), job.errorReason());
  }

  @Test
  void unknownIdsAreClearErrors() {
    NotFoundException f = assertThrows(NotFoundException.class, () -> Function.get(spool, "zzzzzzzzzz"));
    assertTrue(f.getMessage().contains("zzzzzzzzzz"), f.getMessage());
    NotFoundException j = assertThrows(NotFoundException.class, () -> Job.get(spool, hello.id() + "-999999"));
    assertTrue(j.getMessage().contains("-999999"), j.getMessage());
  }

  @Test
  void unknownImageIsRefusedAtSaveListingTheConfiguredOnes() {
    int before = Function.list(spool).size();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> function("hello").image("python2.7").build().save());
    assertTrue(e.getMessage().contains("unknown image 'python2.7'"), e.getMessage());
    assertTrue(e.getMessage().contains("python3"), e.getMessage());
    assertEquals(before, Function.list(spool).size());
  }

  @Test
  void memoryAboveTheClustersLargestContainerIsRefusedNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> function("hello").memory("64Gi").build().save());
    assertTrue(e.getMessage().contains("yarn.scheduler.maximum-allocation-mb"), e.getMessage());
  }
}
