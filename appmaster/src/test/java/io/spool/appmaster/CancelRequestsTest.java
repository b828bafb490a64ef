package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The master's follower of clients' cancel requests, on an embedded ZooKeeper. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class CancelRequestsTest {

  private TestingServer zookeeper;
  private StateStore store;

  @BeforeAll
  void start() throws Exception {
    zookeeper = new TestingServer(true);
    store = StateStore.builder().connectString(zookeeper.getConnectString()).root("/cancel-test").build();
    store.start();
  }

  @AfterAll
  void stop() throws Exception {
    store.close();
    zookeeper.close();
  }

  private String newFunction() {
    String fid = JobId.newFunctionId();
    store.createFunction(new FunctionRecord().id(fid).name("f").status(FunctionStatus.READY)
        .creationDate(Instant.now()).modifiedDate(Instant.now()));
    return fid;
  }

  private void request(String fid, String data) throws Exception {
    store.curator().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
        .forPath(store.layout().cancelPrefix(fid), data.getBytes(StandardCharsets.UTF_8));
  }

  private List<String> requests(String fid) throws Exception {
    return store.curator().getChildren().forPath(store.layout().cancels(fid));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void requestsLeftBeforeAndMadeAfterStartAreReportedThenRemovedAndAFailedOneIsTriedAgain() throws Exception {
    String fid = newFunction();
    request(fid, "3"); // left by an earlier master
    List<String> reported = new CopyOnWriteArrayList<>();
    try (CancelRequests requests = CancelRequests.start(store, fid, jobId -> {
      reported.add(jobId);
      return !jobId.endsWith("-7") || reported.stream().filter(jobId::equals).count() > 1; // job 7 fails once
    })) {
      request(fid, "7");
      request(fid, "not a number");
      await(() -> {
        try {
          return requests(fid).isEmpty();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "every request to be removed");
    }
    assertEquals(List.of(fid + "-3", fid + "-7", fid + "-7"), reported.stream().sorted().toList(),
        "each request reported, job 7's twice; a request naming no job not at all");
  }

  @Test
  void aRequestStaysForTheNextMasterWhileItCannotBeHandled() throws Exception {
    String fid = newFunction();
    List<String> reported = new CopyOnWriteArrayList<>();
    try (CancelRequests requests = CancelRequests.start(store, fid, jobId -> reported.add(jobId) && false)) {
      request(fid, "5");
      await(() -> reported.size() >= 2, "the request to be tried twice");
    }
    assertEquals(1, requests(fid).size(), "kept");
    assertTrue(reported.stream().allMatch((fid + "-5")::equals));
  }
}
