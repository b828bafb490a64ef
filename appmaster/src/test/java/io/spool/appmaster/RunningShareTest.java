package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.state.StateLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The masters of one owner's functions share the owner's limit of running jobs through the embedded ZooKeeper. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunningShareTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private TestingServer zookeeper;
  private CuratorFramework curator;
  private final StateLayout layout = new StateLayout("/running-share-test");

  @BeforeAll
  void start() throws Exception {
    zookeeper = new TestingServer(true);
    curator = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
    curator.start();
  }

  @AfterAll
  void stop() throws Exception {
    curator.close();
    zookeeper.close();
  }

  @Test
  void fairSharesGiveNobodyMoreThanTheyWantAndSplitTheRestEvenly() {
    assertArrayEquals(new int[] {5, 5}, RunningShare.fairShares(10, new int[] {8, 8}));
    assertArrayEquals(new int[] {2, 8}, RunningShare.fairShares(10, new int[] {2, 20}));
    assertArrayEquals(new int[] {4, 3, 3}, RunningShare.fairShares(10, new int[] {9, 9, 9}));
    assertArrayEquals(new int[] {0, 3}, RunningShare.fairShares(10, new int[] {0, 3}));
    assertArrayEquals(new int[] {1, 1, 0}, RunningShare.fairShares(2, new int[] {5, 5, 5}));
    assertArrayEquals(new int[] {}, RunningShare.fairShares(4, new int[] {}));
  }

  @Test
  void aMasterGivesSlotsBackAsItsJobsDrainAndNeverTogetherPassTheLimit() throws Exception {
    List<Integer> sums = new CopyOnWriteArrayList<>();
    RunningShare[] shares = new RunningShare[2];
    Runnable record = () -> {
      int sum = 0;
      for (RunningShare s : shares) {
        sum += s == null ? 0 : s.permitted();
      }
      sums.add(sum);
    };
    shares[0] = new RunningShare(curator, layout, "alice", "fa", 4, record);
    shares[1] = new RunningShare(curator, layout, "alice", "fb", 4, record);
    try (RunningShare a = shares[0]; RunningShare b = shares[1]) {
      a.start();
      a.update(4, 0);
      await(() -> a.permitted() == 4, "the only master of the owner gets the whole limit");
      a.update(4, 4);

      b.start();
      b.update(4, 0);
      await(() -> a.permitted() == 2, "a master lowers itself to its fair share when another wants slots");
      Thread.sleep(500);
      assertEquals(0, b.permitted(), "the newcomer waits while the first one's jobs still hold the slots");

      a.update(4, 2);
      await(() -> b.permitted() == 2, "the newcomer gets its share once the first one's jobs drain");
      assertEquals(2, a.permitted());

      b.update(1, 1);
      await(() -> a.permitted() == 3, "what one master does not want goes to the other");
      assertTrue(sums.stream().allMatch(s -> s <= 4), "the masters together never passed the limit: " + sums);

      a.close();
      b.update(4, 1);
      await(() -> b.permitted() == 4, "a master that ended leaves its slots to the others");
    }
  }

  @Test
  void ownersDoNotShareTheirLimits() throws Exception {
    try (RunningShare carol = new RunningShare(curator, layout, "carol", "fc", 3, () -> { });
         RunningShare dave = new RunningShare(curator, layout, "dave", "fd", 3, () -> { })) {
      carol.start();
      carol.update(3, 3);
      dave.start();
      dave.update(3, 0);
      await(() -> carol.permitted() == 3 && dave.permitted() == 3, "each owner has a limit of their own");
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
