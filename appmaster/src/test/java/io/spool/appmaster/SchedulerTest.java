package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.JobWrite;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The master's scheduler and state writer on an embedded ZooKeeper, without YARN or HDFS: synthetic executors take
 * jobs in batches and report synthetic outcomes, and the jobs' records say what happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class SchedulerTest {

  private TestingServer zookeeper;
  private StateStore store;
  private StateWriter writer;
  private FunctionRecord function;
  private final AtomicInteger permitted = new AtomicInteger(Integer.MAX_VALUE);

  @BeforeAll
  void start() throws Exception {
    zookeeper = new TestingServer(true);
    store = StateStore.builder().connectString(zookeeper.getConnectString()).root("/scheduler-test").build();
    store.start();
  }

  @AfterEach
  void closeWriter() {
    if (writer != null) {
      writer.close();
    }
    permitted.set(Integer.MAX_VALUE);
  }

  @AfterAll
  void stop() throws Exception {
    store.close();
    zookeeper.close();
  }

  /** A READY function with {@code jobs} submitted jobs, and a scheduler that knows of them. */
  private Scheduler schedulerOf(int jobs, int retryCount) {
    String fid = JobId.newFunctionId();
    function = new FunctionRecord().id(fid).name("f").status(FunctionStatus.READY).retryCount(retryCount)
        .timeout(60).creationDate(Instant.now()).modifiedDate(Instant.now());
    store.createFunction(function);
    store.submitJobs(fid, "batch", IntStream.range(0, jobs).mapToObj(i -> new JobRecord()).toList());
    writer = new StateWriter(store, store.takeEpoch(fid), 600_000, stale -> { });
    Scheduler scheduler = new Scheduler(fid, store, writer, () -> function, Clock.systemUTC(), () -> { },
        permitted::get);
    store.submissions(fid).forEach(scheduler::addSubmission);
    return scheduler;
  }

  private JobRecord record(String jobId) {
    return store.job(jobId).orElseThrow().value();
  }

  private static Scheduler.Reported success(String executor, Assignment a) {
    return new Scheduler.Reported(executor, new Outcome(a.record().id(), JobStatus.SUCCESS, 0, null, 0.01, "json",
        null, "s/seg/0/1/MQ", null));
  }

  private static Scheduler.Reported failure(String executor, Assignment a) {
    return new Scheduler.Reported(executor, Outcome.without(a.record().id(), JobStatus.FAILURE, "ValueError: no"));
  }

  private static List<String> ids(List<Assignment> assignments) {
    return assignments.stream().map(a -> a.record().id()).toList();
  }

  @Test
  void jobsGoOutInOrderInBatchesWrittenRunningAndTheirOutcomesEndThemWithWhereTheResultIs() throws Exception {
    Scheduler scheduler = schedulerOf(10, 0);
    String fid = function.id();
    List<Assignment> first = scheduler.dispatch("e1", 4);
    List<Assignment> second = scheduler.dispatch("e2", 100);
    assertEquals(IntStream.rangeClosed(1, 4).mapToObj(n -> fid + "-" + n).toList(), ids(first));
    assertEquals(6, second.size(), "the rest of the queue");
    assertEquals(List.of(), scheduler.dispatch("e3", 5), "nothing left to hand out");
    for (Assignment a : first) {
      JobRecord job = record(a.record().id());
      assertEquals(List.of(JobStatus.RUNNING, 1), List.of(job.status(), job.executionCount()));
    }
    assertEquals(List.of(4, 6, 2, 0), List.of(scheduler.held("e1"), scheduler.held("e2"), scheduler.running(),
        scheduler.queued()));

    scheduler.complete(first.stream().map(a -> success("e1", a)).toList());
    for (Assignment a : first) {
      JobRecord job = record(a.record().id());
      assertEquals(JobStatus.SUCCESS, job.status());
      assertEquals("s/seg/0/1/MQ", job.resultLocation());
    }
    assertEquals(List.of(0, 1), List.of(scheduler.held("e1"), scheduler.running()));
    assertEquals(4L, store.jobStatistics(fid).get(JobStatus.SUCCESS));
    assertEquals(6L, store.jobStatistics(fid).get(JobStatus.RUNNING));
  }

  @Test
  void queuedJobsOfAFunctionWhoseBuildFailedEndFailureWithoutRunning() throws Exception {
    Scheduler scheduler = schedulerOf(4, 3);
    String fid = function.id();
    Versioned<JobRecord> canceled = store.job(fid + "-2").orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(canceled.value().transition(JobStatus.CANCELED), canceled.version(),
        JobStatus.PENDING)));
    assertEquals(3, scheduler.failQueued("the function's build failed: no module named 'tiles'"));
    for (int n : List.of(1, 3, 4)) {
      JobRecord job = record(fid + "-" + n);
      assertEquals(List.of(JobStatus.FAILURE, 0, 0), List.of(job.status(), job.executionCount(), job.failures()));
      assertEquals("the function's build failed: no module named 'tiles'", job.errorReason());
    }
    assertEquals(JobStatus.CANCELED, record(fid + "-2").status());
    assertEquals(List.of(3L, 1L, 0L), List.of(store.jobStatistics(fid).get(JobStatus.FAILURE),
        store.jobStatistics(fid).get(JobStatus.CANCELED), store.jobStatistics(fid).get(JobStatus.PENDING)));
    assertEquals(0, scheduler.queued());
    assertEquals(List.of(), scheduler.dispatch("e1", 4));
  }

  @Test
  void aFailureIsRetriedWhileTheRetryCountAllowsThenEnds() throws Exception {
    Scheduler scheduler = schedulerOf(1, 1);
    Assignment first = scheduler.dispatch("e1", 1).get(0);
    scheduler.complete(List.of(failure("e1", first)));
    assertEquals(JobStatus.PENDING, record(first.record().id()).status(), "retried");
    Assignment second = scheduler.dispatch("e1", 1).get(0);
    assertEquals(2, second.record().executionCount());
    scheduler.complete(List.of(failure("e1", second)));
    JobRecord job = record(first.record().id());
    assertEquals(List.of(JobStatus.FAILURE, 2, 2), List.of(job.status(), job.failures(), job.executionCount()));
    assertEquals("ValueError: no", job.errorReason());
    assertTrue(scheduler.idleFor(0), "nothing left to do");
  }

  @Test
  void anExecutorThatFailsChargesOnlyTheJobItRanAndTheJobsWaitingOnItRunAgainUncharged() throws Exception {
    Scheduler scheduler = schedulerOf(3, 0);
    List<Assignment> held = scheduler.dispatch("e1", 3);
    scheduler.executorFailed("e1", "killed by YARN for its memory");
    JobRecord ran = record(held.get(0).record().id());
    assertEquals(List.of(JobStatus.FAILURE, 1), List.of(ran.status(), ran.failures()));
    assertEquals("killed by YARN for its memory", ran.errorReason());
    assertEquals(2, scheduler.queued(), "the two that waited behind it");
    List<Assignment> again = scheduler.dispatch("e2", 5);
    assertEquals(ids(held.subList(1, 3)), ids(again), "in their order");
    for (Assignment a : again) {
      assertEquals(List.of(2, 0), List.of(a.record().executionCount(), a.record().failures()));
    }
  }

  @Test
  void aLostExecutorsJobsRunAgainUnchargedAndItsLateOutcomesAreIgnored() throws Exception {
    Scheduler scheduler = schedulerOf(2, 0);
    List<Assignment> held = scheduler.dispatch("e1", 2);
    scheduler.executorLost("e1", "its container ended");
    scheduler.complete(List.of(success("e1", held.get(0))));
    assertEquals(JobStatus.RUNNING, record(held.get(0).record().id()).status(), "the lost executor's word is void");
    List<Assignment> again = scheduler.dispatch("e2", 2);
    scheduler.complete(again.stream().map(a -> success("e2", a)).toList());
    assertEquals(2L, store.jobStatistics(function.id()).get(JobStatus.SUCCESS));
    assertEquals(0, record(held.get(1).record().id()).failures());
  }

  @Test
  void noMoreExecutorsRunJobsThanPermittedButABusyOneMayHoldMoreAhead() throws Exception {
    Scheduler scheduler = schedulerOf(6, 0);
    permitted.set(1);
    assertEquals(2, scheduler.dispatch("e1", 2).size());
    assertEquals(List.of(), scheduler.dispatch("e2", 2), "a second running executor is one too many");
    assertEquals(2, scheduler.dispatch("e1", 2).size(), "jobs held ahead by a running executor run no sooner");
    permitted.set(2);
    assertEquals(1, scheduler.dispatch("e2", 1).size());
    permitted.set(1); // another function of the owner took a share
    assertEquals(List.of(), scheduler.dispatch("e1", 1), "over the limit: the executors drain first");
  }

  @Test
  void aClientsCancelOfAHeldJobNamesItsExecutorAndItsCanceledOutcomeEndsIt() throws Exception {
    Scheduler scheduler = schedulerOf(2, 0);
    List<Assignment> held = scheduler.dispatch("e1", 2);
    String jobId = held.get(1).record().id();
    Versioned<JobRecord> read = store.job(jobId).orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(read.value().transition(JobStatus.CANCEL), read.version(),
        JobStatus.RUNNING)));
    assertEquals(Optional.of("e1"), scheduler.cancelRequested(jobId));
    assertEquals(JobStatus.CANCELING, record(jobId).status());
    scheduler.complete(List.of(new Scheduler.Reported("e1", Outcome.without(jobId, JobStatus.CANCELED, "canceled"))));
    assertEquals(JobStatus.CANCELED, record(jobId).status());
    assertEquals(Optional.empty(), scheduler.cancelRequested(held.get(0).record().id()), "not canceled by a client");
  }

  @Test
  void aCancelOfAJobSeenRunningBeforeItsExecutorHoldsItWaitsForTheHandOut() throws Exception {
    schedulerOf(1, 0); // the function and its job: the scheduler here writes through a store slow to answer
    String jobId = function.id() + "-1";
    // the writer's commit is applied in ZooKeeper, then held back: the job is RUNNING before the dispatch returns
    CountDownLatch release = new CountDownLatch(1);
    StateStore slowToAnswer = (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
        new Class<?>[] {StateStore.class}, (proxy, method, args) -> {
          try {
            Object result = method.invoke(store, args);
            if ("commit".equals(method.getName())) {
              release.await();
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    writer.close();
    writer = new StateWriter(slowToAnswer, store.takeEpoch(function.id()), 600_000, stale -> { });
    Scheduler scheduler = new Scheduler(function.id(), store, writer, () -> function, Clock.systemUTC(), () -> { },
        permitted::get);
    store.submissions(function.id()).forEach(scheduler::addSubmission);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<List<Assignment>> dispatch = threads.submit(() -> scheduler.dispatch("e1", 1));
      while (record(jobId).status() != JobStatus.RUNNING) {
        Thread.sleep(5);
      }
      Versioned<JobRecord> read = store.job(jobId).orElseThrow();
      assertTrue(store.compareAndSet(new JobWrite(read.value().transition(JobStatus.CANCEL), read.version(),
          JobStatus.RUNNING)));
      Future<Optional<String>> cancel = threads.submit(() -> scheduler.cancelRequested(jobId));
      Thread.sleep(300);
      assertFalse(cancel.isDone(), "the cancel waits for the job's hand-out");
      release.countDown();
      assertEquals(List.of(jobId), ids(dispatch.get(10, TimeUnit.SECONDS)));
      assertEquals(Optional.of("e1"), cancel.get(10, TimeUnit.SECONDS));
      assertEquals(JobStatus.CANCELING, record(jobId).status());
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void aJobDeletedOrCanceledWhileQueuedIsNotHandedOut() throws Exception {
    Scheduler scheduler = schedulerOf(3, 0);
    String fid = function.id();
    Versioned<JobRecord> first = store.job(fid + "-1").orElseThrow();
    assertTrue(store.compareAndSet(new JobWrite(first.value().transition(JobStatus.CANCELED), first.version(),
        JobStatus.PENDING)));
    Versioned<JobRecord> second = store.job(fid + "-2").orElseThrow();
    assertTrue(store.deleteJob(fid + "-2", second.version(), JobStatus.PENDING));
    assertEquals(List.of(fid + "-3"), ids(scheduler.dispatch("e1", 3)));
  }

  @Test
  void aNewMasterSkipsTheJobsItsPredecessorEndedAndHandsOutTheNextInOneCall() throws Exception {
    Scheduler scheduler = schedulerOf(10, 0);
    String fid = function.id();
    List<Assignment> ended = scheduler.dispatch("e1", 5);
    scheduler.complete(ended.stream().map(a -> success("e1", a)).toList());
    try (StateWriter next = new StateWriter(store, store.takeEpoch(fid), 600_000, stale -> { })) {
      Scheduler recovered = new Scheduler(fid, store, next, () -> function, Clock.systemUTC(), () -> { },
          permitted::get);
      store.submissions(fid).forEach(recovered::addSubmission);
      assertEquals(List.of(fid + "-6"), ids(recovered.dispatch("e9", 1)),
          "the five ended jobs at the head of the recovered queue are skipped, not handed out one call each");
      assertEquals(4, recovered.dispatch("e9", 10).size());
      assertEquals(List.of(), recovered.dispatch("e9", 10));
    }
  }
}
