package io.spool.appmaster;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.Resources;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.hadoop.yarn.api.protocolrecords.AllocateResponse;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the synchronous {@link AMRMClient}. Each round it reconciles the executor containers
 * toward a target — {@code min(maximumConcurrency, queued + running jobs)}, within the owner's share of running
 * jobs ({@link JobSlots}) — as {@code missing = target − requested
 * − live}, heartbeats the ResourceManager, launches what it was given (removing the matched request), releases
 * surplus, and hands the ends of containers to the scheduler. It heartbeats fast while it waits for containers and
 * slowly when idle, and can be woken early.
 */
final class Allocator implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Allocator.class);
  private static final long FAST_MS = 100;
  private static final int MAX_ALLOCATE_FAILURES = 5;
  /** Executors that may fail on one node before the node is avoided. */
  private static final int MAX_NODE_FAILURES = 3;
  /** How long a disconnected executor's job waits for YARN to report its container before it runs again. */
  private static final long DISCONNECT_GRACE_MS = 30_000;

  private final AMRMClient<ContainerRequest> amrm;
  private final Supplier<FunctionRecord> function;
  private final int memoryOverheadMb;
  private final Scheduler scheduler;
  private final ExecutorRegistry registry;
  private final Launcher launcher;
  private final Supplier<LaunchSpec> executorSpec;
  private final Shutdown shutdown;
  private final long slowMs;
  private final long silentGraceMs;
  private final ArrayDeque<ContainerRequest> requested = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<ContainerId> toRelease = new ConcurrentLinkedQueue<>();
  private final Map<String, String> nodes = new HashMap<>();
  private final Map<String, Integer> nodeFailures = new HashMap<>();
  private final Object wake = new Object();
  private boolean woken;
  private int allocateFailures;
  private volatile Build build;
  private ContainerRequest buildRequest;
  private final String nodeLabel;
  private final JobSlots slots;
  private String buildContainer;

  /** Starts a container that YARN gave this master: the NodeManager's side of a launch. */
  interface Launcher {
    /** Starts {@code spec} in {@code container}; {@code onFailure} hears of a launch that failed. */
    void launch(Container container, LaunchSpec spec, BiConsumer<Container, Exception> onFailure);
  }

  /** The build container asked for, and how its end is reported. */
  private record Build(Resource resource, LaunchSpec spec, CompletableFuture<Integer> exit) {}

  private static final Priority BUILD_PRIORITY = Priority.newInstance(0);
  private static final Priority EXECUTOR_PRIORITY = Priority.newInstance(1);

  /**
   * @param nodeLabel the node label expression of every container request, or null for none: the function's as this
   *     master started (a changed label applies from the next master, as the application's queue and priority do)
   */
  Allocator(AMRMClient<ContainerRequest> amrm, Supplier<FunctionRecord> function, String nodeLabel,
      int memoryOverheadMb, Scheduler scheduler, ExecutorRegistry registry, Launcher launcher,
      Supplier<LaunchSpec> executorSpec, Shutdown shutdown, long slowMs, long silentGraceMs, JobSlots slots) {
    this.amrm = amrm;
    this.nodeLabel = nodeLabel;
    this.function = function;
    this.memoryOverheadMb = memoryOverheadMb;
    this.scheduler = scheduler;
    this.registry = registry;
    this.launcher = launcher;
    this.executorSpec = executorSpec;
    this.shutdown = shutdown;
    this.slowMs = slowMs;
    this.silentGraceMs = silentGraceMs;
    this.slots = slots;
  }

  /** The container size of an executor for a function: its memory plus the runner's overhead, its vcores. */
  static Resource executorResource(FunctionRecord f, int memoryOverheadMb) {
    return Resource.newInstance(f.memory() + memoryOverheadMb, Resources.vcores(f.cpus()));
  }

  /**
   * Runs one build container of {@code resource}; the future completes with its exit status (0 when the build
   * succeeded).
   */
  CompletableFuture<Integer> build(Resource resource, LaunchSpec spec) {
    Build b = new Build(resource, spec, new CompletableFuture<>());
    build = b;
    wake();
    return b.exit();
  }

  /** Wakes the loop for an early round (new work, an executor ended). */
  void wake() {
    synchronized (wake) {
      woken = true;
      wake.notifyAll();
    }
  }

  @Override
  public void run() {
    try {
      while (!shutdown.isRequested()) {
        round();
        sleep(requested.isEmpty() && scheduler.queued() == 0 ? slowMs : FAST_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("allocator failed", e);
      shutdown.request(new Shutdown.Reason(FinalApplicationStatus.FAILED, Shutdown.EXIT_FAILURE,
          "allocator failed: " + e, false));
    }
  }

  /**
   * One round: gives up on executors gone silent or disconnected too long, reconciles the requests toward the target,
   * and heartbeats the ResourceManager.
   */
  void round() {
    scheduler.expireDisconnected(DISCONNECT_GRACE_MS);
    scheduler.expireOverdue(silentGraceMs).forEach(registry::retireSilent);
    reconcile();
    allocate();
  }

  private void reconcile() {
    Build b = build;
    if (b != null && buildRequest == null && buildContainer == null && !b.exit().isDone()) {
      buildRequest = request(b.resource(), BUILD_PRIORITY);
      amrm.addContainerRequest(buildRequest);
      LOG.info("requested a build container of {}", b.resource());
    }
    FunctionRecord f = function.get();
    if (f == null) {
      return;
    }
    Resource resource = executorResource(f, memoryOverheadMb);
    requested.removeIf(request -> {
      if (request.getCapability().equals(resource)) {
        return false;
      }
      amrm.removeContainerRequest(request);
      return true;
    });
    int running = scheduler.running();
    int want = f.status() == FunctionStatus.READY
        ? Math.min(f.maximumConcurrency(), scheduler.queued() + running) : running;
    slots.update(want, running);
    int target = Math.min(want, Math.max(slots.permitted(), running));
    int missing = target - requested.size() - registry.live();
    if (missing > 0) {
      for (int i = 0; i < missing; i++) {
        ContainerRequest request = request(resource, EXECUTOR_PRIORITY);
        amrm.addContainerRequest(request);
        requested.add(request);
      }
      LOG.info("requested {} executor containers of {} (target {})", missing, resource, target);
    } else if (missing < 0) {
      for (int i = 0; i < -missing && !requested.isEmpty(); i++) {
        amrm.removeContainerRequest(requested.pollLast());
      }
    }
  }

  private ContainerRequest request(Resource resource, Priority priority) {
    return new ContainerRequest(resource, null, null, priority, true, nodeLabel);
  }

  private void allocate() {
    for (ContainerId id = toRelease.poll(); id != null; id = toRelease.poll()) {
      amrm.releaseAssignedContainer(id);
    }
    AllocateResponse response;
    try {
      response = amrm.allocate(scheduler.running() > 0 ? 0.5f : 0.1f);
      allocateFailures = 0;
    } catch (Exception e) {
      if (++allocateFailures >= MAX_ALLOCATE_FAILURES) {
        throw new IllegalStateException("the ResourceManager refused " + allocateFailures + " heartbeats in a row", e);
      }
      LOG.warn("heartbeat to the ResourceManager failed ({} in a row)", allocateFailures, e);
      return;
    }
    List<Container> allocated = response.getAllocatedContainers();
    for (Container container : allocated) {
      if (container.getPriority().equals(BUILD_PRIORITY)) {
        launchBuild(container);
        continue;
      }
      ContainerRequest request = requested.peekFirst();
      if (request == null || !fits(container.getResource(), request.getCapability())) {
        amrm.releaseAssignedContainer(container.getId());
        continue;
      }
      requested.pollFirst();
      amrm.removeContainerRequest(request);
      String id = container.getId().toString();
      registry.launching(id, request.getCapability());
      nodes.put(id, container.getNodeId().getHost());
      launcher.launch(container, executorSpec.get(), (c, e) -> {
        if (registry.ended(id)) {
          toRelease.add(c.getId());
        }
        wake();
      });
    }
    for (ContainerStatus status : response.getCompletedContainersStatuses()) {
      String id = status.getContainerId().toString();
      if (id.equals(buildContainer)) {
        LOG.info("build container {} ended with exit status {}", id, status.getExitStatus());
        buildContainer = null;
        build.exit().complete(status.getExitStatus());
        continue;
      }
      registry.ended(id);
      String node = nodes.remove(id);
      ContainerExits.Fault fault = ContainerExits.classify(status);
      if (fault == ContainerExits.Fault.NONE) {
        scheduler.executorLost(id, "container ended");
        continue;
      }
      LOG.warn("executor {} on {} ended with exit status {}: {}", id, node, status.getExitStatus(),
          status.getDiagnostics());
      if (fault == ContainerExits.Fault.JOB) {
        scheduler.executorFailed(id, ContainerExits.describe(status));
      } else {
        scheduler.executorLost(id, "container ended with exit status " + status.getExitStatus());
      }
      if (node != null && nodeFailures.merge(node, 1, Integer::sum) == MAX_NODE_FAILURES) {
        LOG.warn("avoiding node {}: {} executors failed there", node, MAX_NODE_FAILURES);
        amrm.updateBlacklist(List.of(node), List.of());
      }
    }
  }

  private void launchBuild(Container container) {
    Build b = build;
    if (b == null || buildRequest == null || buildContainer != null) {
      amrm.releaseAssignedContainer(container.getId());
      return;
    }
    amrm.removeContainerRequest(buildRequest);
    buildRequest = null;
    buildContainer = container.getId().toString();
    launcher.launch(container, b.spec(), (c, e) -> b.exit().completeExceptionally(e));
  }

  /** Whether an allocated container is at least the size asked for (YARN rounds requests up). */
  private static boolean fits(Resource container, Resource asked) {
    return container.getMemorySize() >= asked.getMemorySize() && container.getVirtualCores() >= asked.getVirtualCores();
  }

  private void sleep(long millis) throws InterruptedException {
    if (build != null && (buildRequest != null || buildContainer != null)) {
      millis = Math.min(millis, FAST_MS * 5);
    }
    synchronized (wake) {
      if (!woken) {
        wake.wait(millis);
      }
      woken = false;
    }
  }
}
