package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.BuildFailedRefusalException;
import io.spool.core.state.Completion;
import io.spool.core.state.Fence;
import io.spool.core.state.JobWrite;
import io.spool.core.state.StaleFenceException;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import io.spool.local.SpoolClusterExtension;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ZooKeeper state store on the embedded ZooKeeper: batches, idempotency, fencing, statistics. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateStoreTest {

  private StateStore store;
  private Configuration conf;

  @BeforeAll
  void start(Configuration conf) {
    this.conf = conf;
    store = StateStore.builder().configuration(conf).root("/spool-store-test").build();
    store.start();
  }

  @AfterAll
  void close() {
    store.close();
  }

  private String newFunction() {
    String id = JobId.newFunctionId();
    store.createFunction(new FunctionRecord().id(id).name("f").status(FunctionStatus.READY).creationDate(Instant.now())
        .modifiedDate(Instant.now()));
    return id;
  }

  private static List<JobRecord> jobs(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> new JobRecord()).toList();
  }

  @Test
  void aBatchSubmittedTwiceIsCreatedOnce() {
    String fid = newFunction();
    List<String> first = store.submitJobs(fid, "batch-1", jobs(3));
    List<String> again = store.submitJobs(fid, "batch-1", jobs(3));
    assertEquals(first, again);
    assertEquals(3, store.jobIds(fid).size());
    assertEquals(1, store.submissions(fid).size());
    assertEquals(3L, store.jobStatistics(fid).get(JobStatus.PENDING));
  }

  @Test
  void jobsAreShardedAcrossParents() {
    String fid = newFunction();
    for (int b = 0; b < 3; b++) {
      store.submitJobs(fid, "b" + b, jobs(500));
    }
    List<String> ids = store.jobIds(fid);
    assertEquals(1500, ids.size());
    assertEquals(fid + "-1500", ids.get(1499));
    assertTrue(store.layout().job(fid + "-1500").contains("/000000001/"), store.layout().job(fid + "-1500"));
  }

  @Test
  void masterWritesMoveTheStatisticsAndAreFencedByTheEpoch() throws Exception {
    String fid = newFunction();
    List<String> ids = store.submitJobs(fid, "b", jobs(2));
    Fence fence = store.takeEpoch(fid);
    List<JobWrite> writes = new java.util.ArrayList<>();
    for (Versioned<JobRecord> v : store.jobs(ids).values()) {
      writes.add(new JobWrite(v.value().transition(JobStatus.RUNNING), v.version(), JobStatus.PENDING));
    }
    assertEquals(List.of(true, true), store.commit(fence, writes, List.of()));
    assertEquals(2L, store.jobStatistics(fid).get(JobStatus.RUNNING));
    assertEquals(0L, store.jobStatistics(fid).get(JobStatus.PENDING));

    Versioned<JobRecord> one = store.job(ids.get(0)).orElseThrow();
    assertEquals(List.of(true), store.commit(fence,
        List.of(new JobWrite(one.value().transition(JobStatus.SUCCESS), one.version(), JobStatus.RUNNING)), List.of()));
    assertEquals(1L, store.jobStatistics(fid).get(JobStatus.SUCCESS));

    Versioned<JobRecord> stale = new Versioned<>(one.value(), one.version());
    assertEquals(List.of(false), store.commit(fence,
        List.of(new JobWrite(stale.value(), stale.version(), JobStatus.SUCCESS)), List.of()),
        "a write at an old version is refused");

    Fence newer = store.takeEpoch(fid);
    assertTrue(newer.epoch() > fence.epoch());
    Versioned<JobRecord> two = store.job(ids.get(1)).orElseThrow();
    assertThrows(StaleFenceException.class, () -> store.commit(fence,
        List.of(new JobWrite(two.value().transition(JobStatus.FAILURE), two.version(), JobStatus.RUNNING)), List.of()));
    assertEquals(JobStatus.RUNNING, store.job(ids.get(1)).orElseThrow().value().status());
    assertEquals(1L, store.jobStatistics(fid).get(JobStatus.RUNNING));
  }

  @Test
  void aFunctionWhoseBuildFailedTakesNoSubmissionAndNoRerunAndNothingIsWritten() {
    String fid = JobId.newFunctionId();
    store.createFunction(new FunctionRecord().id(fid).name("f").status(FunctionStatus.BUILDING)
        .creationDate(Instant.now()).modifiedDate(Instant.now()));
    String id = store.submitJobs(fid, "while-building", jobs(1)).get(0);
    Versioned<JobRecord> read = store.job(id).orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(read.value().transition(JobStatus.FAILURE)
        .errorReason("the function's build failed: pip failed"), read.version(), JobStatus.PENDING)));
    store.updateFunction(fid, f -> f.transition(FunctionStatus.BUILD_FAILED, "pip failed"));

    BuildFailedRefusalException submit = assertThrows(BuildFailedRefusalException.class,
        () -> store.submitJobs(fid, "after", jobs(2)));
    assertEquals("pip failed", submit.reason());
    Versioned<JobRecord> failed = store.job(id).orElseThrow();
    assertThrows(BuildFailedRefusalException.class, () -> store.requeue(fid, List.of(new JobWrite(
        failed.value().transition(JobStatus.PENDING), failed.version(), JobStatus.FAILURE))));

    assertEquals(List.of(id), store.jobIds(fid));
    assertEquals(1, store.submissions(fid).size());
    assertEquals(JobStatus.FAILURE, store.job(id).orElseThrow().value().status());
    assertEquals(1L, store.jobStatistics(fid).get(JobStatus.FAILURE));
    assertEquals(0L, store.jobStatistics(fid).get(JobStatus.PENDING));
  }

  @Test
  void clientCompareAndSetLosesToAConcurrentChange() {
    String fid = newFunction();
    String id = store.submitJobs(fid, "b", jobs(1)).get(0);
    Versioned<JobRecord> read = store.job(id).orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(read.value().transition(JobStatus.CANCELED), read.version(),
        JobStatus.PENDING)));
    assertFalse(store.compareAndSet(new JobWrite(read.value(), read.version(), JobStatus.PENDING)));
    assertEquals(1L, store.jobStatistics(fid).get(JobStatus.CANCELED));
    assertEquals(0L, store.jobStatistics(fid).get(JobStatus.PENDING));
  }

  @Test
  void deletedFunctionIsGone() {
    String fid = newFunction();
    store.submitJobs(fid, "b", jobs(2));
    store.deleteFunction(fid);
    assertTrue(store.function(fid).isEmpty());
    assertFalse(store.functionIds().contains(fid));
  }

  @Test
  void writesThatEndJobsAreLoggedAsCompletionsAndPruned() throws Exception {
    String fid = newFunction();
    List<String> ids = store.submitJobs(fid, "b", jobs(3));
    assertEquals(List.of(), store.completions(fid, null, null), "submitting ends nothing");
    Fence fence = store.takeEpoch(fid);
    List<JobWrite> running = new java.util.ArrayList<>();
    java.util.Map<String, Versioned<JobRecord>> read = store.jobs(ids);
    for (String id : ids.subList(0, 2)) {
      Versioned<JobRecord> v = read.get(id);
      running.add(new JobWrite(v.value().transition(JobStatus.RUNNING), v.version(), JobStatus.PENDING));
    }
    store.commit(fence, running, List.of());
    assertEquals(List.of(), store.completions(fid, null, null), "starting ends nothing");

    java.util.concurrent.Semaphore changed = new java.util.concurrent.Semaphore(0);
    assertEquals(List.of(), store.completions(fid, null, changed::release));
    List<JobWrite> ended = new java.util.ArrayList<>();
    for (Versioned<JobRecord> v : store.jobs(ids.subList(0, 2)).values()) {
      ended.add(new JobWrite(v.value().transition(JobStatus.SUCCESS), v.version(), JobStatus.RUNNING));
    }
    store.commit(fence, ended, List.of());
    assertTrue(changed.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS), "the watch fired");
    List<io.spool.core.state.Completion> first = store.completions(fid, null, null);
    assertEquals(1, first.size());
    assertEquals(List.of(1L, 2L), first.get(0).numbers().stream().sorted().toList());

    Versioned<JobRecord> pending = store.job(ids.get(2)).orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(pending.value().transition(JobStatus.CANCELED), pending.version(),
        JobStatus.PENDING)));
    List<io.spool.core.state.Completion> after = store.completions(fid, first.get(0).name(), null);
    assertEquals(1, after.size(), "a client's cancel of a pending job is logged too");
    assertEquals(List.of(3L), after.get(0).numbers());

    assertEquals(0, store.pruneCompletions(fid, Instant.now().minusSeconds(60)), "young entries are kept");
    assertEquals(2, store.pruneCompletions(fid, Instant.now().plusSeconds(1)));
    assertEquals(List.of(), store.completions(fid, null, null));
  }

  @Test
  void aFollowerReadsOnlyTheEntriesAfterItsCursorAndIsToldOncePerLook() throws Exception {
    String fid = newFunction();
    List<String> ids = store.submitJobs(fid, "b", jobs(4));
    Fence fence = store.takeEpoch(fid);
    Semaphore changed = new Semaphore(0);
    assertEquals(List.of(), store.completions(fid, null, changed::release));

    succeed(fence, ids.subList(0, 1));
    assertTrue(changed.tryAcquire(10, TimeUnit.SECONDS), "the follower is told of the first entry");
    List<Completion> first = store.completions(fid, null, changed::release);
    assertEquals(1, first.size());
    assertEquals(List.of(1L), first.get(0).numbers());

    succeed(fence, ids.subList(1, 3));
    assertTrue(changed.tryAcquire(10, TimeUnit.SECONDS), "and of the next");
    assertFalse(changed.tryAcquire(500, TimeUnit.MILLISECONDS), "once: it looked once");
    List<Completion> next = store.completions(fid, first.get(0).name(), changed::release);
    assertEquals(1, next.size(), "only what follows the cursor");
    assertEquals(List.of(2L, 3L), next.get(0).numbers().stream().sorted().toList());
    assertEquals(List.of(first.get(0).name(), next.get(0).name()),
        store.completions(fid, null, null).stream().map(Completion::name).toList(),
        "a listing of the log and the follower agree");

    assertEquals(2, store.pruneCompletions(fid, Instant.now().plusSeconds(1)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.completions(fid, null, changed::release).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(List.of(), store.completions(fid, null, changed::release), "pruned entries leave the follower");
    succeed(fence, ids.subList(3, 4));
    assertTrue(changed.tryAcquire(10, TimeUnit.SECONDS));
    assertEquals(List.of(4L), store.completions(fid, next.get(0).name(), changed::release).get(0).numbers(),
        "entries written after a prune follow the cursor");
  }

  @Test
  void jobsAreDeletedManyAtATimeAndOneThatChangedMeanwhileIsLeft() {
    String fid = newFunction();
    List<String> ids = new java.util.ArrayList<>();
    for (String batch : List.of("a", "b", "c")) {
      ids.addAll(store.submitJobs(fid, batch, jobs(400)));
    }
    java.util.Map<String, Versioned<JobRecord>> read = store.jobs(ids);
    List<io.spool.core.state.JobDeletion> deletions = new java.util.ArrayList<>();
    for (String id : ids) {
      deletions.add(new io.spool.core.state.JobDeletion(id, read.get(id).version(), JobStatus.PENDING));
    }
    String changed = ids.get(1100); // in the third batch of deletions (500 each)
    Versioned<JobRecord> v = read.get(changed);
    assertTrue(store.compareAndSet(new JobWrite(v.value().transition(JobStatus.CANCELED), v.version(),
        JobStatus.PENDING)), "a client's cancel after the read");
    List<Boolean> applied = store.deleteJobs(fid, deletions);
    assertEquals(1200, applied.size());
    assertEquals(1199, applied.stream().filter(b -> b).count());
    assertFalse(applied.get(1100), "the changed job is left");
    assertEquals(List.of(changed), List.copyOf(store.jobs(ids).keySet()));
    assertEquals(0L, store.jobStatistics(fid).get(JobStatus.PENDING), "the deleted jobs left the statistics");
    assertEquals(1L, store.jobStatistics(fid).get(JobStatus.CANCELED));
  }

  @Test
  void aFunctionIsDeletedWithItsJobsAndLogs() throws Exception {
    String fid = newFunction();
    for (String batch : List.of("a", "b", "c")) {
      store.submitJobs(fid, batch, jobs(400));
    }
    logEntries(fid, 600);
    store.deleteFunction(fid);
    assertTrue(store.function(fid).isEmpty());
    assertEquals(null, store.curator().checkExists().forPath(store.layout().function(fid)));
    store.deleteFunction(fid); // once more: nothing to do
  }

  @Test
  void pruningRemovesEveryEntryOlderThanTheCutoffAndNoYoungerOne() throws Exception {
    String fid = newFunction();
    logEntries(fid, 1_100);
    Thread.sleep(50);
    Instant cutoff = Instant.now();
    Thread.sleep(50);
    logEntries(fid, 5);
    assertEquals(0, store.pruneCompletions(fid, cutoff.minusSeconds(60)));
    assertEquals(1_100, store.pruneCompletions(fid, cutoff), "more than one batch of deletes");
    List<Completion> left = store.completions(fid, null, null);
    assertEquals(5, left.size());
    assertEquals(List.of(1_101L), left.get(0).numbers(), "the oldest young entry is kept");
  }

  /** Appends {@code n} entries to the function's completion log, each naming one job, numbered on from 1. */
  private void logEntries(String fid, int n) throws Exception {
    int have = store.completions(fid, null, null).size();
    for (int from = 0; from < n; from += 500) {
      List<org.apache.curator.framework.api.transaction.CuratorOp> ops = new java.util.ArrayList<>();
      for (int i = from; i < Math.min(n, from + 500); i++) {
        ops.add(store.curator().transactionOp().create().withMode(org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL)
            .forPath(store.layout().completionPrefix(fid), ("[" + (have + i + 1) + "]").getBytes()));
      }
      store.curator().transaction().forOperations(ops);
    }
  }

  @Test
  void aFollowerMissesNoEntryAcrossTheExpiryOfItsSession() throws Exception {
    try (StateStore follower = StateStore.builder().configuration(conf).root("/spool-store-test").build()) {
      follower.start();
      String fid = newFunction();
      List<String> ids = store.submitJobs(fid, "a", jobs(12));
      Fence fence = store.takeEpoch(fid);
      Semaphore changed = new Semaphore(0);
      assertEquals(List.of(), follower.completions(fid, null, changed::release));
      String cursor = null;
      java.util.Set<Long> seen = new java.util.TreeSet<>();
      for (int i = 0; i < ids.size(); i++) {
        if (i == 4) {
          follower.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        }
        succeed(fence, ids.subList(i, i + 1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.size() < i + 1 && System.nanoTime() < deadline) {
          changed.tryAcquire(200, TimeUnit.MILLISECONDS);
          for (Completion entry : follower.completions(fid, cursor, changed::release)) {
            cursor = entry.name();
            seen.addAll(entry.numbers());
          }
        }
      }
      assertEquals(java.util.stream.LongStream.rangeClosed(1, 12).boxed().toList(), List.copyOf(seen));
    }
  }

  /** Writes the pending jobs {@code ids} RUNNING, then SUCCESS: one completion-log entry. */
  private void succeed(Fence fence, List<String> ids) throws StaleFenceException {
    List<JobWrite> running = new java.util.ArrayList<>();
    for (Versioned<JobRecord> v : store.jobs(ids).values()) {
      running.add(new JobWrite(v.value().transition(JobStatus.RUNNING), v.version(), JobStatus.PENDING));
    }
    store.commit(fence, running, List.of());
    List<JobWrite> ended = new java.util.ArrayList<>();
    for (Versioned<JobRecord> v : store.jobs(ids).values()) {
      ended.add(new JobWrite(v.value().transition(JobStatus.SUCCESS), v.version(), JobStatus.RUNNING));
    }
    store.commit(fence, ended, List.of());
  }

  @Test
  void aClientsCancelOfARunningJobIsARequestForTheMasterAndOfAPendingOneIsNot() throws Exception {
    String fid = newFunction();
    List<String> ids = store.submitJobs(fid, "a", jobs(2));
    Fence fence = store.takeEpoch(fid);
    Versioned<JobRecord> first = store.job(ids.get(0)).orElseThrow();
    store.commit(fence, List.of(new JobWrite(first.value().transition(JobStatus.RUNNING), first.version(),
        JobStatus.PENDING)), List.of());
    Versioned<JobRecord> running = store.job(ids.get(0)).orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(running.value().transition(JobStatus.CANCEL), running.version(),
        JobStatus.RUNNING)));
    Versioned<JobRecord> pending = store.job(ids.get(1)).orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(pending.value().transition(JobStatus.CANCELED), pending.version(),
        JobStatus.PENDING)));
    List<String> requests = store.curator().getChildren().forPath(store.layout().cancels(fid));
    assertEquals(1, requests.size());
    assertEquals("1", new String(store.curator().getData().forPath(store.layout().cancels(fid) + "/"
        + requests.get(0)), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void concurrentSubmissionsTakeDistinctNumbersAndCountEveryJob() throws Exception {
    String fid = newFunction();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> submitted = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String batch = "batch-" + i;
        submitted.add(clients.submit(() -> store.submitJobs(fid, batch, jobs(3))));
      }
      java.util.Set<Long> numbers = new java.util.TreeSet<>();
      for (Future<List<String>> f : submitted) {
        f.get(60, TimeUnit.SECONDS).forEach(id -> numbers.add(JobId.number(id)));
      }
      assertEquals(java.util.stream.LongStream.rangeClosed(1, 120).boxed().toList(), List.copyOf(numbers));
      assertEquals(120L, store.jobStatistics(fid).get(JobStatus.PENDING));
      assertEquals(120, store.jobs(numbers.stream().map(n -> JobId.of(fid, n)).toList()).size());
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void aSubmissionCompletesTheShardsThatAnEarlierFailedSubmissionLeftOutOrMade() throws Exception {
    // numbers taken by an earlier version's failed submission: the counter is past the last job, its shard absent
    String missing = newFunction();
    store.curator().create().forPath(store.layout().sequence(missing),
        java.nio.ByteBuffer.allocate(Long.BYTES).putLong(1499).array());
    assertEquals(List.of(missing + "-1500", missing + "-1501"), store.submitJobs(missing, "a", jobs(2)));
    assertEquals(2, store.jobs(List.of(missing + "-1500", missing + "-1501")).size());
    // a shard that exists before the submission that starts it
    String made = newFunction();
    store.curator().create().forPath(store.layout().sequence(made),
        java.nio.ByteBuffer.allocate(Long.BYTES).putLong(999).array());
    store.curator().create().forPath(store.layout().shard(made, 1000));
    assertEquals(List.of(made + "-1000"), store.submitJobs(made, "b", jobs(1)));
    assertEquals(List.of(made + "-1001"), store.submitJobs(made, "c", jobs(1)), "the counter moved on");
    assertEquals(2L, store.jobStatistics(made).get(JobStatus.PENDING));
  }

  @Test
  void jobsAreReadShardByShard() {
    String fid = newFunction();
    store.submitJobs(fid, "a", jobs(500));
    store.submitJobs(fid, "b", jobs(500));
    store.submitJobs(fid, "c", jobs(10));
    List<String> shards = store.jobShards(fid);
    assertEquals(List.of("000000000", "000000001"), shards);
    List<Versioned<JobRecord>> first = store.shardJobs(fid, shards.get(0));
    assertEquals(999, first.size(), "job numbers start at 1");
    assertEquals(fid + "-1", first.get(0).value().id());
    assertEquals(fid + "-999", first.get(998).value().id());
    assertEquals(11, store.shardJobs(fid, shards.get(1)).size());
    assertEquals(List.of(), store.shardJobs(fid, "000000009"));
  }
}
