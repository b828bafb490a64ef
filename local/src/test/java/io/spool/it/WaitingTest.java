package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.WaitTimeoutException;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Waiting on many jobs: as they complete, for a whole function, and with timeouts. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class WaitingTest {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private Spool spool;
  private String resultsPy;

  @BeforeAll
  void connect(Configuration clusterConf) throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    spool = Spool.connect(conf);
    resultsPy = TestSetup.python("results.py");
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Function nap(int concurrency) {
    return Function.builder(spool, resultsPy + ":nap").memory(256).maximumConcurrency(concurrency).build().save();
  }

  @Test
  void asCompletedYieldsEveryJobOnceInTheOrderTheyEnded() {
    Function fn = nap(4);
    List<List<Integer>> args = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      args.add(List.of(i, (i * 37) % 60));
    }
    List<Job> jobs = fn.map(args);
    List<Job> yielded = new ArrayList<>();
    List<Instant> seenAt = new ArrayList<>();
    for (Job job : fn.asCompleted(jobs, WAIT)) {
      yielded.add(job);
      seenAt.add(Instant.now());
    }
    assertEquals(500, yielded.size());
    Set<String> ids = new HashSet<>();
    yielded.forEach(j -> ids.add(j.id()));
    assertEquals(500, ids.size(), "each job exactly once");
    jobs.forEach(j -> assertTrue(ids.contains(j.id()), j.id()));
    int inversions = 0;
    Instant latest = Instant.MIN;
    for (Job job : yielded) {
      assertEquals(JobStatus.SUCCESS, job.status());
      Instant end = job.lastCompletionDate();
      if (end.isBefore(latest)) {
        inversions++;
        assertTrue(!end.isBefore(latest.minusMillis(100)),
            "job " + job.id() + " ended " + end + ", well before a job yielded earlier (" + latest + ")");
      }
      latest = end.isAfter(latest) ? end : latest;
    }
    assertTrue(inversions <= 5, inversions + " jobs came out of their completion order");
    Instant lastEnd = yielded.stream().map(Job::lastCompletionDate).max(Instant::compareTo).orElseThrow();
    assertTrue(seenAt.get(0).isBefore(lastEnd.minusSeconds(2)),
        "jobs are yielded while others still run, not all at the end");
  }

  @Test
  void asCompletedYieldsJobsThatEndedBeforeItWasCalled() throws Exception {
    Function fn = nap(2);
    List<Job> jobs = fn.map(List.of(List.of(1, 0), List.of(2, 0), List.of(3, 0)));
    fn.waitForCompletion(WAIT);
    List<String> ids = new ArrayList<>();
    for (Job job : fn.asCompleted(jobs, Duration.ofSeconds(30))) {
      ids.add(job.id());
    }
    assertEquals(jobs.stream().map(Job::id).sorted().toList(), ids.stream().sorted().toList());
  }

  @Test
  void asCompletedTimesOutNamingTheUnfinishedJobs() {
    Function fn = nap(2);
    Job quick = fn.call(1, 0);
    Job slow = fn.call(2, 60_000);
    Iterator<Job> completed = fn.asCompleted(List.of(quick, slow), Duration.ofSeconds(20)).iterator();
    assertEquals(quick.id(), completed.next().id());
    long start = System.nanoTime();
    WaitTimeoutException e = assertThrows(WaitTimeoutException.class, completed::next);
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMs < 20_000, "gave up at its deadline, not later: " + waitedMs + " ms");
    assertEquals(List.of(slow.id()), e.unfinished().stream().map(Job::id).toList());
    slow.cancel();
  }

  @Test
  void asCompletedRefusesJobsOfAnotherFunction() {
    Function one = nap(1);
    Function other = nap(1);
    Job theirs = other.call(1, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> one.asCompleted(List.of(theirs), WAIT).iterator().hasNext());
    assertTrue(e.getMessage().contains(other.id()), e.getMessage());
  }

  @Test
  void aCanceledPendingJobIsYieldedAsCompleted() {
    Function fn = nap(1);
    Job running = fn.call(1, 3_000);
    Job pending = fn.call(2, 0);
    pending.cancel();
    List<JobStatus> statuses = new ArrayList<>();
    for (Job job : fn.asCompleted(List.of(pending, running), WAIT)) {
      statuses.add(job.status());
    }
    assertEquals(List.of(JobStatus.CANCELED, JobStatus.SUCCESS), statuses);
  }

  @Test
  void functionWaitForCompletionWaitsUntilNothingIsPendingOrRunning() throws Exception {
    Function fn = nap(2);
    List<List<Integer>> args = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      args.add(List.of(i, 100));
    }
    fn.map(args);
    TimeoutException early = assertThrows(TimeoutException.class, () -> fn.waitForCompletion(Duration.ofMillis(300)));
    assertTrue(early.getMessage().contains("pending or running"), early.getMessage());
    Map<JobStatus, Long> counts = fn.waitForCompletion(WAIT);
    assertEquals(20L, counts.get(JobStatus.SUCCESS));
    assertEquals(0L, counts.get(JobStatus.PENDING) + counts.get(JobStatus.RUNNING));
  }
}
