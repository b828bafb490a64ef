package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.curator.test.TestingServer;
import org.apache.hadoop.yarn.api.protocolrecords.AllocateResponse;
import org.apache.hadoop.yarn.api.protocolrecords.RegisterApplicationMasterResponse;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerState;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.UpdateContainerRequest;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The master's allocator without a cluster, as Spark's {@code YarnAllocatorSuite} tests its own: a synthetic
 * ResourceManager records the requests and hands out synthetic containers and container ends, and a scheduler on an
 * embedded ZooKeeper holds the jobs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class AllocatorTest {

  private static final ApplicationAttemptId ATTEMPT =
      ApplicationAttemptId.newInstance(ApplicationId.newInstance(1_700_000_000_000L, 1), 1);
  private static final LaunchSpec SPEC = new LaunchSpec(Map.of(), Map.of(), "true");

  private TestingServer zookeeper;
  private StateStore store;
  private StateWriter writer;
  private FunctionRecord function;
  private Scheduler scheduler;
  private ExecutorRegistry registry;
  private FakeResourceManager rm;
  private final List<Container> launched = new ArrayList<>();
  private final Shutdown shutdown = new Shutdown();
  private int containers;

  @BeforeAll
  void start() throws Exception {
    zookeeper = new TestingServer(true);
    store = StateStore.builder().connectString(zookeeper.getConnectString()).root("/allocator-test").build();
    store.start();
  }

  @AfterEach
  void closeWriter() {
    writer.close();
    launched.clear();
  }

  @AfterAll
  void stop() throws Exception {
    store.close();
    zookeeper.close();
  }

  /** An allocator for a READY function of {@code memory} MB and {@code concurrency}, with {@code jobs} submitted. */
  private Allocator allocatorOf(int jobs, int concurrency) {
    String fid = JobId.newFunctionId();
    function = new FunctionRecord().id(fid).name("f").status(FunctionStatus.READY).memory(512).cpus(1)
        .maximumConcurrency(concurrency).retryCount(0).timeout(60).creationDate(Instant.now()).modifiedDate(Instant.now());
    store.createFunction(function);
    store.submitJobs(fid, "batch", IntStream.range(0, jobs).mapToObj(i -> new JobRecord()).toList());
    writer = new StateWriter(store, store.takeEpoch(fid), 600_000, stale -> { });
    scheduler = new Scheduler(fid, store, writer, () -> function, Clock.systemUTC(), () -> { }, () -> Integer.MAX_VALUE);
    store.submissions(fid).forEach(scheduler::addSubmission);
    registry = new ExecutorRegistry();
    rm = new FakeResourceManager();
    return new Allocator(rm, () -> function, null, 128, scheduler, registry,
        (container, spec, onFailure) -> launched.add(container), () -> SPEC, shutdown, 10, 60_000,
        JobSlots.UNLIMITED);
  }

  private Container container(String host, int memoryMb) {
    ContainerId id = ContainerId.newContainerId(ATTEMPT, ++containers);
    return Container.newInstance(id, NodeId.newInstance(host, 8041), host + ":8042",
        Resource.newInstance(memoryMb, 1), Priority.newInstance(1), null);
  }

  private static ContainerStatus ended(Container container, int exitStatus) {
    return ContainerStatus.newInstance(container.getId(), ContainerState.COMPLETE, "", exitStatus);
  }

  @Test
  void asksForOneExecutorPerJobUpToTheConcurrencyAndLaunchesWhatItIsGivenOnce() {
    Allocator allocator = allocatorOf(10, 3);
    allocator.round();
    assertEquals(3, rm.asked.size(), "min(concurrency 3, 10 queued)");
    assertEquals(Resource.newInstance(512 + 128, 1), rm.asked.get(0).getCapability(), "memory plus the overhead");
    allocator.round();
    assertEquals(3, rm.asked.size(), "a request outstanding is not asked for again");

    Container a = container("n1", 640);
    Container b = container("n2", 1024);
    rm.give(a, b);
    allocator.round();
    assertEquals(List.of(a, b), launched, "YARN rounds sizes up: the larger one fits too");
    assertEquals(1, rm.asked.size(), "the two matched requests are withdrawn");
    assertEquals(2, registry.live());
    allocator.round();
    assertEquals(1, rm.asked.size(), "launched executors count toward the target");
  }

  @Test
  void aContainerSmallerThanAskedIsReleasedAndTheRequestStays() {
    Allocator allocator = allocatorOf(1, 1);
    allocator.round();
    Container small = container("n1", 256);
    rm.give(small);
    allocator.round();
    assertEquals(List.of(), launched);
    assertEquals(List.of(small.getId()), rm.released);
    assertEquals(1, rm.asked.size(), "still asking for one of the right size");
  }

  @Test
  void requestsNoLongerNeededAreWithdrawn() throws Exception {
    Allocator allocator = allocatorOf(4, 4);
    allocator.round();
    assertEquals(4, rm.asked.size());
    for (int i = 1; i <= 3; i++) {
      Versioned<JobRecord> job = store.job(function.id() + "-" + i).orElseThrow();
      assertTrue(store.deleteJob(job.value().id(), job.version(), JobStatus.PENDING));
    }
    List<Assignment> taken = scheduler.dispatch("elsewhere", 10);
    assertEquals(1, taken.size(), "the three deleted jobs are skipped");
    allocator.round();
    assertEquals(1, rm.asked.size(), "one job runs: the other three requests are withdrawn");
  }

  @Test
  void aStoppedFunctionAsksForNoNewExecutors() {
    Allocator allocator = allocatorOf(5, 5);
    function = function.status(FunctionStatus.STOPPED);
    allocator.round();
    assertEquals(0, rm.asked.size());
  }

  @Test
  void anExecutorKilledForItsMemoryChargesItsJobAndANodeWhereThreeFailedIsAvoided() throws Exception {
    Allocator allocator = allocatorOf(6, 3);
    allocator.round();
    Container first = container("bad", 640);
    rm.give(first, container("bad", 640), container("bad", 640));
    allocator.round();
    assertEquals(3, launched.size());
    List<String> ran = new ArrayList<>();
    for (Container c : launched) {
      registry.connected(c.getId().toString());
      ran.add(scheduler.dispatch(c.getId().toString(), 1).get(0).record().id());
    }
    rm.end(ended(launched.get(0), ContainerExitStatus.KILLED_EXCEEDED_PMEM));
    allocator.round();
    JobRecord charged = store.job(ran.get(0)).orElseThrow().value();
    assertEquals(List.of(JobStatus.FAILURE, 1), List.of(charged.status(), charged.failures()));
    assertTrue(charged.errorReason().contains("exceeding its memory"), charged.errorReason());
    assertEquals(List.of(), rm.blacklisted);

    rm.end(ended(launched.get(1), ContainerExitStatus.ABORTED), ended(launched.get(2), 137));
    allocator.round();
    assertEquals(List.of("bad"), rm.blacklisted, "three executors failed on it");
    allocator.round();
    assertEquals(3, rm.asked.size(), "replacements for the three, asked in the round after their ends");
    assertEquals(5, scheduler.queued(), "the platform's fault: both jobs wait to run again");
    List<Assignment> again = scheduler.dispatch("elsewhere", 5);
    assertEquals(Set.copyOf(ran.subList(1, 3)), again.subList(0, 2).stream().map(a -> a.record().id())
        .collect(Collectors.toSet()), "ahead of the jobs that never ran");
    for (Assignment a : again.subList(0, 2)) {
      assertEquals(List.of(2, 0), List.of(a.record().executionCount(), a.record().failures()), "uncharged");
    }
  }

  @Test
  void theBuildContainerIsAskedForFirstAndItsEndCompletesTheBuild() throws Exception {
    Allocator allocator = allocatorOf(1, 1);
    function = function.status(FunctionStatus.BUILDING);
    CompletableFuture<Integer> build = allocator.build(Resource.newInstance(1024, 1), SPEC);
    allocator.round();
    assertEquals(1, rm.asked.size());
    assertEquals(Priority.newInstance(0), rm.asked.get(0).getPriority());
    Container builder = Container.newInstance(ContainerId.newContainerId(ATTEMPT, ++containers),
        NodeId.newInstance("n1", 8041), "n1:8042", Resource.newInstance(1024, 1), Priority.newInstance(0), null);
    rm.give(builder);
    allocator.round();
    assertEquals(List.of(builder), launched);
    assertFalse(build.isDone());
    rm.end(ended(builder, 0));
    allocator.round();
    assertEquals(0, build.get(1, TimeUnit.SECONDS));
    assertEquals(0, rm.asked.size());
  }

  @Test
  void aResourceManagerThatRefusesFiveHeartbeatsInARowStopsTheMaster() throws Exception {
    Allocator allocator = allocatorOf(1, 1);
    rm.refuse = true;
    Thread loop = new Thread(allocator);
    loop.start();
    loop.join(10_000);
    assertFalse(loop.isAlive());
    assertTrue(shutdown.isRequested());
    assertEquals(FinalApplicationStatus.FAILED, shutdown.reason().status());
    assertTrue(shutdown.reason().message().contains("refused 5 heartbeats"), shutdown.reason().message());
  }

  /** A ResourceManager that records what is asked of it and answers each heartbeat with what the test gave. */
  private static final class FakeResourceManager extends AMRMClient<ContainerRequest> {
    final List<ContainerRequest> asked = new ArrayList<>();
    final List<ContainerId> released = new ArrayList<>();
    final List<String> blacklisted = new ArrayList<>();
    private final List<Container> allocated = new ArrayList<>();
    private final List<ContainerStatus> completed = new ArrayList<>();
    boolean refuse;

    FakeResourceManager() {
      super("fake-resource-manager");
    }

    void give(Container... containers) {
      allocated.addAll(List.of(containers));
    }

    void end(ContainerStatus... statuses) {
      completed.addAll(List.of(statuses));
    }

    @Override
    public AllocateResponse allocate(float progress) throws IOException {
      if (refuse) {
        throw new IOException("connection refused");
      }
      AllocateResponse response = AllocateResponse.newBuilder().allocatedContainers(List.copyOf(allocated))
          .completedContainersStatuses(List.copyOf(completed)).build();
      allocated.clear();
      completed.clear();
      return response;
    }

    @Override
    public void addContainerRequest(ContainerRequest request) {
      asked.add(request);
    }

    @Override
    public void removeContainerRequest(ContainerRequest request) {
      asked.remove(request);
    }

    @Override
    public void releaseAssignedContainer(ContainerId id) {
      released.add(id);
    }

    @Override
    public void updateBlacklist(List<String> additions, List<String> removals) {
      blacklisted.addAll(additions);
      blacklisted.removeAll(removals);
    }

    @Override
    public RegisterApplicationMasterResponse registerApplicationMaster(String host, int port, String url) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void unregisterApplicationMaster(FinalApplicationStatus status, String message, String url) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void requestContainerUpdate(Container container, UpdateContainerRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Resource getAvailableResources() {
      return Resource.newInstance(0, 0);
    }

    @Override
    public int getClusterNodeCount() {
      return 1;
    }

    @Override
    public List<? extends Collection<ContainerRequest>> getMatchingRequests(Priority priority, String resourceName,
        Resource capability) {
      return List.of();
    }

    @Override
    public Collection<ContainerRequest> getMatchingRequests(long allocationRequestId) {
      return List.of();
    }
  }
}
