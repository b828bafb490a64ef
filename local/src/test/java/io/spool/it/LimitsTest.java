package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import io.spool.client.Function;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.JobLimits;
import io.spool.core.state.JobWrite;
import io.spool.core.state.LimitExceededException;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import io.spool.local.SpoolClusterExtension;
import io.spool.server.SpoolServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limits of outstanding jobs per function and per user (SPEC §7): the submission or rerun that would pass one is
 * refused with a message naming the limit and its setting, nothing of it is written, and submissions go in again
 * once jobs end. Checked on the store (including racing submitters) and through the Java client, the CLI and the API.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class LimitsTest {

  private StateStore store;
  private Configuration clusterConf;

  @BeforeAll
  void start(Configuration conf) {
    clusterConf = conf;
    store = StateStore.builder().configuration(conf).root("/spool-limits-test").limits(new JobLimits(30, 40)).build();
    store.start();
  }

  @AfterAll
  void close() {
    store.close();
  }

  private String newFunction(String owner) {
    String id = JobId.newFunctionId();
    store.createFunction(new FunctionRecord().id(id).name("f").owner(owner).status(FunctionStatus.READY)
        .creationDate(Instant.now()).modifiedDate(Instant.now()));
    return id;
  }

  private static List<JobRecord> jobs(int n) {
    return IntStream.range(0, n).mapToObj(i -> new JobRecord()).toList();
  }

  private long pending(String fid) {
    return store.jobStatistics(fid).get(JobStatus.PENDING);
  }

  /** Cancels {@code n} of the function's pending jobs, as a client does: they end and no longer count. */
  private void cancel(String fid, int n) {
    int done = 0;
    for (Versioned<JobRecord> job : store.jobs(store.jobIds(fid)).values()) {
      if (done < n && job.value().status() == JobStatus.PENDING) {
        assertTrue(store.compareAndSet(new JobWrite(job.value().transition(JobStatus.CANCELED), job.version(),
            JobStatus.PENDING)));
        done++;
      }
    }
    assertEquals(n, done);
  }

  @Test
  void aFunctionsOutstandingJobsStopAtItsLimitAndEndedJobsMakeRoom() {
    String fid = newFunction("alice-" + JobId.newFunctionId());
    store.submitJobs(fid, "b1", jobs(25));
    LimitExceededException refused = assertThrows(LimitExceededException.class,
        () -> store.submitJobs(fid, "b2", jobs(6)));
    assertEquals(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION, refused.setting());
    assertEquals(30, refused.limit());
    assertTrue(refused.getMessage().contains("limit of 30 outstanding (PENDING or RUNNING) jobs per function")
        && refused.getMessage().contains(fid + " has 25"), refused.getMessage());
    assertEquals(25, store.jobIds(fid).size(), "nothing of the refused batch was written");
    assertEquals(25, pending(fid));
    assertEquals(1, store.submissions(fid).size());

    store.submitJobs(fid, "b3", jobs(5));
    cancel(fid, 6);
    assertEquals(6, store.submitJobs(fid, "b2", jobs(6)).size(), "ended jobs no longer count");
    assertEquals(30, pending(fid));
  }

  @Test
  void rerunsCountAgainstTheLimitToo() {
    String fid = newFunction("bea-" + JobId.newFunctionId());
    store.submitJobs(fid, "b1", jobs(30));
    cancel(fid, 10);
    store.submitJobs(fid, "b2", jobs(5));
    List<JobWrite> reruns = new ArrayList<>();
    for (Versioned<JobRecord> job : store.jobs(store.jobIds(fid)).values()) {
      if (job.value().status() == JobStatus.CANCELED) {
        reruns.add(new JobWrite(job.value().transition(JobStatus.PENDING), job.version(), JobStatus.CANCELED));
      }
    }
    LimitExceededException refused = assertThrows(LimitExceededException.class,
        () -> store.requeue(fid, reruns));
    assertTrue(refused.getMessage().startsWith("rerunning 10 jobs would pass the limit of 30"), refused.getMessage());
    assertEquals(10, store.jobStatistics(fid).get(JobStatus.CANCELED), "no job was put back");
    assertEquals(25, pending(fid));
    assertEquals(List.of(true, true, true, true, true), store.requeue(fid, reruns.subList(0, 5)));
    assertEquals(30, pending(fid));
  }

  @Test
  void aUsersFunctionsShareTheUserLimitAndOtherUsersAreNotCounted() {
    String carol = "carol-" + JobId.newFunctionId();
    String first = newFunction(carol);
    String second = newFunction(carol);
    String someoneElses = newFunction("dan-" + JobId.newFunctionId());
    store.submitJobs(first, "b1", jobs(25));
    store.submitJobs(second, "b1", jobs(15));
    LimitExceededException refused = assertThrows(LimitExceededException.class,
        () -> store.submitJobs(second, "b2", jobs(1)));
    assertEquals(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_USER, refused.setting());
    assertTrue(refused.getMessage().contains(carol + " has 40 across 2 functions"), refused.getMessage());
    assertEquals(15, pending(second));
    assertEquals(25, store.submitJobs(someoneElses, "b1", jobs(25)).size());

    store.deleteFunction(first);
    assertEquals(15, store.submitJobs(second, "b2", jobs(15)).size(), "a deleted function's jobs no longer count");
  }

  @Test
  void racingSubmittersOfOneUserNeverPassTheUserLimit() {
    String erin = "erin-" + JobId.newFunctionId();
    List<String> functions = List.of(newFunction(erin), newFunction(erin), newFunction(erin));
    AtomicInteger refusals = new AtomicInteger();
    List<CompletableFuture<Void>> submitters = new ArrayList<>();
    for (String fid : functions) {
      submitters.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 25; i++) {
          try {
            store.submitJobs(fid, "b" + i, jobs(1));
          } catch (LimitExceededException refused) {
            refusals.incrementAndGet();
          }
        }
      }));
    }
    submitters.forEach(CompletableFuture::join);
    long total = functions.stream().mapToLong(this::pending).sum();
    assertEquals(40, total, "75 single-job batches raced for 40 places");
    assertEquals(35, refusals.get());
    assertEquals(40, functions.stream().mapToLong(fid -> store.jobIds(fid).size()).sum());
  }

  @Test
  void theClientTheCliAndTheApiRefuseWithTheLimitNamedAndWriteNothing() throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    conf.setLong(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION, 100);
    conf.setInt(SpoolConfig.SUBMIT_BATCH_SIZE, 40);
    try (Spool spool = Spool.connect(conf)) {
      Function f = Function.builder(spool, TestSetup.python("jobs.py") + ":odd_fails").name("limits").memory(256)
          .build().save();
      f.stop();
      List<List<Integer>> many = IntStream.range(0, 101).mapToObj(List::of).toList();
      LimitExceededException refused = assertThrows(LimitExceededException.class, () -> f.map(many));
      assertTrue(refused.getMessage().startsWith("submitting 101 jobs would pass the limit of 100"),
          refused.getMessage());
      assertEquals(0, f.jobStatistics().get(JobStatus.PENDING), "a refused map writes none of its batches");
      assertEquals(100, f.map(many.subList(0, 100)).size());

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = SpoolCli.run(new String[] {"job", "submit", f.id(), "7"}, new PrintWriter(out, true),
          new PrintWriter(err, true), () -> Spool.connect(conf));
      assertEquals(SpoolCli.EXIT_ERROR, exit, out + "" + err);
      assertTrue(err.toString().startsWith("spool: submitting 1 jobs would pass the limit of 100 outstanding")
          && err.toString().contains(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION), err.toString());

      try (SpoolServer server = SpoolServer.start(conf, new InetSocketAddress("127.0.0.1", 0))) {
        HttpCalls api = new HttpCalls(server.uri(), System.getProperty("user.name"));
        HttpCalls.Reply reply = api.put("api/v1/functions/" + f.id() + "/batches/over",
            Map.of("args", List.of(List.of(1))));
        assertEquals(429, reply.status(), reply.toString());
        assertEquals("limit_exceeded", reply.json().get("error").get("reason").asText());
        assertTrue(reply.json().get("error").get("message").asText()
            .contains(SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION), reply.toString());
      }
      assertEquals(100, f.jobStatistics().get(JobStatus.PENDING), "nothing of the refused submissions was written");
      f.delete(true);
    }
  }

  @Test
  void theMastersOfOneUsersFunctionsTogetherRunNoMoreJobsThanTheUsersLimit() throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    conf.setInt(SpoolConfig.LIMIT_RUNNING_JOBS_PER_USER, 2);
    try (Spool spool = Spool.connect(conf)) {
      List<Function> functions = new ArrayList<>();
      for (String name : List.of("share-a", "share-b")) {
        functions.add(Function.builder(spool, TestSetup.python("results.py") + ":interval").name(name).memory(256)
            .maximumConcurrency(2).build().save());
      }
      List<List<Integer>> naps = IntStream.range(0, 6).mapToObj(i -> List.of(1500)).toList();
      for (Function f : functions) {
        f.map(naps);
      }
      List<double[]> a = new ArrayList<>();
      List<double[]> b = new ArrayList<>();
      for (Function f : functions) {
        assertEquals(Map.of(JobStatus.SUCCESS, 6L), nonZero(f.waitForCompletion(java.time.Duration.ofMinutes(3))));
        for (Object interval : f.results()) {
          List<?> ends = (List<?>) interval;
          (f == functions.get(0) ? a : b).add(new double[] {((Number) ends.get(0)).doubleValue(),
              ((Number) ends.get(1)).doubleValue()});
        }
      }
      List<double[]> all = new ArrayList<>(a);
      all.addAll(b);
      assertTrue(mostAtOnce(all) <= 2, "at most 2 jobs of the user ran at once, not " + mostAtOnce(all));
      assertTrue(a.stream().anyMatch(x -> b.stream().anyMatch(y -> x[0] < y[1] && y[0] < x[1])),
          "the two functions shared the limit: each ran while the other did");
      for (Function f : functions) {
        f.delete(true);
      }
    }
  }

  private static Map<JobStatus, Long> nonZero(Map<JobStatus, Long> counts) {
    Map<JobStatus, Long> found = new java.util.EnumMap<>(JobStatus.class);
    counts.forEach((s, n) -> {
      if (n != 0) {
        found.put(s, n);
      }
    });
    return found;
  }

  /** The most intervals that overlap at any moment. */
  private static int mostAtOnce(List<double[]> intervals) {
    List<double[]> events = new ArrayList<>();
    for (double[] i : intervals) {
      events.add(new double[] {i[0], 1});
      events.add(new double[] {i[1], -1});
    }
    events.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
    int now = 0;
    int most = 0;
    for (double[] e : events) {
      now += (int) e[1];
      most = Math.max(most, now);
    }
    return most;
  }
}
