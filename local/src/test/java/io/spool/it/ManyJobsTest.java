package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.JobSearch;
import io.spool.client.Spool;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand successful jobs and a few hundred failed ones of one function: their results iterated in a small
 * heap, and searches over them by status, tags and ids, sorted and paged.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(900)
class ManyJobsTest {

  private static final int SUCCEEDING = 10_000;
  private static final int FAILING = 300;
  private static final int BLOCK = 1_000;

  private Spool spool;
  private Configuration conf;
  private Function fn;

  @BeforeAll
  void runJobs(Configuration clusterConf) throws Exception {
    conf = TestSetup.quickIdle(clusterConf);
    spool = Spool.connect(conf);
    String resultsPy = TestSetup.python("results.py");
    fn = Function.builder(spool, resultsPy + ":value").memory(256).maximumConcurrency(4).build().save();
    for (int block = 0; block < SUCCEEDING / BLOCK; block++) {
      for (String parity : List.of("even", "odd")) {
        List<List<Integer>> args = new ArrayList<>();
        for (int i = block * BLOCK + (parity.equals("even") ? 0 : 1); i < (block + 1) * BLOCK; i += 2) {
          args.add(List.of(i));
        }
        fn.submit().tags("block-" + block, parity).map(args);
      }
    }
    List<List<Object>> bad = new ArrayList<>();
    for (int i = 0; i < FAILING; i++) {
      bad.add(List.of("not a number " + i));
    }
    fn.submit().tags("bad").map(bad);
    Map<JobStatus, Long> counts = fn.waitForCompletion(Duration.ofMinutes(12));
    assertEquals(SUCCEEDING, counts.get(JobStatus.SUCCESS), counts::toString);
    assertEquals(FAILING, counts.get(JobStatus.FAILURE), counts::toString);
  }

  @AfterAll
  void close() {
    spool.close();
  }

  @Test
  void iterResultsStreamsTenThousandResultsInASmallHeap(@TempDir Path dir) throws Exception {
    Path confFile = dir.resolve("spool-site.xml");
    try (OutputStream out = Files.newOutputStream(confFile)) {
      conf.writeXml(out);
    }
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", classpath, IterateResults.class.getName(), confFile.toString(), fn.id())
        .redirectErrorStream(true).start();
    String output;
    try (var in = child.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(child.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, child.exitValue(), output);
    long expectedSum = (long) SUCCEEDING * (SUCCEEDING - 1) / 2;
    assertTrue(output.contains("count=" + SUCCEEDING + " sum=" + expectedSum + " "), output);
    assertTrue(output.contains("heapMaxMiB="), output);
    System.err.println("iterResults in a 64 MiB heap: " + output.lines().filter(l -> l.startsWith("count="))
        .findFirst().orElse(output));
  }

  @Test
  void resultsInTheSameProcessComeInSubmissionOrder() {
    List<Object> all = fn.results();
    assertEquals(SUCCEEDING, all.size());
    Set<Integer> seen = new HashSet<>();
    for (Object r : all) {
      seen.add(((Number) ((Map<?, ?>) r).get("i")).intValue());
    }
    assertEquals(SUCCEEDING, seen.size());
  }

  @Test
  void searchesFilterByStatusTagsAndIds() {
    assertEquals(FAILING, fn.jobs().status(JobStatus.FAILURE).count());
    assertEquals(FAILING, fn.jobs().tags("bad").count());
    assertEquals(BLOCK, fn.jobs().tags("block-3").count());
    assertEquals(BLOCK / 2, fn.jobs().tags("block-3", "odd").count());
    assertEquals(0, fn.jobs().tags("block-3").status(JobStatus.FAILURE).count());
    assertEquals(2 * BLOCK, fn.jobs().anyTag(List.of("block-1", "block-2")).count());
    assertEquals(SUCCEEDING + FAILING, Job.search(spool).functionId(fn.id()).count());

    List<Job> some = fn.jobs().tags("block-7").page(0, 5);
    List<String> ids = some.stream().map(Job::id).toList();
    List<Job> byId = fn.jobs().ids(List.of(ids.get(3), ids.get(1), "nosuchfunc-1")).list();
    assertEquals(List.of(ids.get(1), ids.get(3)), byId.stream().map(Job::id).toList());
    assertEquals(1, fn.jobs().ids(ids).executionCountAtLeast(1).status(JobStatus.SUCCESS).tags("even")
        .ids(List.of(ids.get(0))).count());
    assertEquals(0, fn.jobs().completedAfter(Instant.now()).count());
  }

  @Test
  void searchesSortAndPage() {
    List<Job> all = fn.jobs().list();
    assertEquals(SUCCEEDING + FAILING, all.size());
    List<String> paged = new ArrayList<>();
    for (int page = 0; ; page++) {
      List<Job> jobs = fn.jobs().page(page, 1_500);
      if (jobs.isEmpty()) {
        break;
      }
      jobs.forEach(j -> paged.add(j.id()));
    }
    assertEquals(all.stream().map(Job::id).toList(), paged, "pages in id order cover every job once");

    List<Job> latest = fn.jobs().status(JobStatus.SUCCESS)
        .sortBy(JobSearch.Sort.LAST_COMPLETION_DATE, false).page(0, 50);
    List<Job> next = fn.jobs().status(JobStatus.SUCCESS)
        .sortBy(JobSearch.Sort.LAST_COMPLETION_DATE, false).page(1, 50);
    assertEquals(50, latest.size());
    List<Job> both = new ArrayList<>(latest);
    both.addAll(next);
    for (int i = 1; i < both.size(); i++) {
      assertTrue(!both.get(i).lastCompletionDate().isAfter(both.get(i - 1).lastCompletionDate()),
          "newest first: " + both.get(i - 1) + " then " + both.get(i));
    }
    Instant newest = fn.jobs().status(JobStatus.SUCCESS).stream().map(Job::lastCompletionDate)
        .max(Instant::compareTo).orElseThrow();
    assertEquals(newest, latest.get(0).lastCompletionDate());
    assertEquals(100, both.stream().map(Job::id).distinct().count());

    List<Job> byStatus = fn.jobs().sortBy(JobSearch.Sort.STATUS, true).page(0, 10);
    assertEquals(JobStatus.SUCCESS, byStatus.get(0).status(), "SUCCESS sorts before FAILURE");
  }

  @Test
  void aSearchSelectsTheJobsToRerun() throws Exception {
    List<String> tenBad = fn.jobs().tags("bad").page(0, 10).stream().map(Job::id).toList();
    List<Job> rerun = fn.rerun(fn.jobs().ids(tenBad).status(JobStatus.FAILURE));
    assertEquals(10, rerun.size());
    for (Job job : fn.asCompleted(rerun, Duration.ofMinutes(3))) {
      assertEquals(JobStatus.FAILURE, job.status());
      assertEquals(2, job.executionCount(), "ran again, failed again");
    }
    assertEquals(FAILING, fn.jobs().status(JobStatus.FAILURE).count());
  }
}
