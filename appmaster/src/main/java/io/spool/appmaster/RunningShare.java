package io.spool.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.json.Json;
import io.spool.core.state.StateLayout;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This master's share of its owner's running jobs ({@code spool.limit.running-jobs-per-user}), agreed with the live
 * masters of the owner's other functions through ZooKeeper. Each keeps an ephemeral node with how many jobs it wants
 * to run and how many slots it holds. A master's fair share is the max-min fair division of the limit over everyone's
 * wants; it runs at most that many jobs, raises what it holds only under the owner's lock and only into what the
 * others leave free, and gives slots back as its running jobs drain below its share. So the masters together never
 * hold more than the limit, and a function that wants slots gets its share as soon as the others' jobs end.
 */
final class RunningShare implements JobSlots, Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(RunningShare.class);
  private static final long LOCK_WAIT_MS = 10_000;

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final CuratorFramework curator;
  private final String dir;
  private final String functionId;
  private final int limit;
  private final Runnable onChange;
  private final InterProcessMutex lock;
  private final PersistentNode node;
  private final CuratorCache others;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "running-share");
    t.setDaemon(true);
    return t;
  });

  /** What this master last asked for and was given; changed only on the worker thread, read by any. */
  private volatile int want;
  private volatile int running;
  private volatile int permitted;
  private int held;
  private int wantWritten = -1;

  /**
   * @param limit the owner's limit of running jobs, at least 1
   * @param onChange runs (on the share's own thread) when the number of jobs this master may run changed
   */
  RunningShare(CuratorFramework curator, StateLayout layout, String owner, String functionId, int limit,
      Runnable onChange) {
    if (limit < 1) {
      throw new IllegalArgumentException("a limit of running jobs must be at least 1, not " + limit);
    }
    this.curator = curator;
    this.dir = layout.ownerRunning(owner);
    this.functionId = functionId;
    this.limit = limit;
    this.onChange = onChange;
    this.lock = new InterProcessMutex(curator, layout.ownerRunningLock(owner));
    this.node = new PersistentNode(curator, CreateMode.EPHEMERAL, false, ZKPaths.makePath(dir, functionId),
        claim(0, 0));
    this.others = CuratorCache.build(curator, dir);
  }

  void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("running share already started or closed");
    }
    node.start();
    others.listenable().addListener(CuratorCacheListener.builder().forAll((type, old, now) -> rebalanceLater()).build());
    others.start();
  }

  @Override
  public int permitted() {
    return permitted;
  }

  @Override
  public void update(int want, int running) {
    if (want != this.want || running != this.running) {
      this.want = want;
      this.running = running;
      rebalanceLater();
    }
  }

  private void rebalanceLater() {
    if (state.get() != State.STARTED) {
      return;
    }
    try {
      worker.execute(this::rebalance);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closing
    }
  }

  private void rebalance() {
    try {
      int wantNow = want;
      List<int[]> claims = claims(readCached());
      int share = fairShare(limit, wantNow, claims);
      int next;
      if (share <= permitted) {
        next = share;
      } else {
        next = raise(share);
      }
      int holdNow = Math.max(next, running);
      if (holdNow != held || wantNow != wantWritten) {
        node.setData(claim(wantNow, holdNow));
        held = holdNow;
        wantWritten = wantNow;
      }
      if (next != permitted) {
        LOG.info("function {} may now run {} jobs at once (its owner's limit is {})", functionId, next, limit);
        permitted = next;
        onChange.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("could not agree on a share of running jobs for function {}; keeping {}", functionId, permitted, e);
    }
  }

  /** Raises what this master holds toward {@code share}, under the owner's lock, into what the others leave free. */
  private int raise(int share) throws Exception {
    if (!lock.acquire(LOCK_WAIT_MS, TimeUnit.MILLISECONDS)) {
      return permitted;
    }
    try {
      int othersHeld = 0;
      for (int[] claim : claims(readNow())) {
        othersHeld += claim[1];
      }
      return Math.max(permitted, Math.min(share, limit - othersHeld));
    } finally {
      lock.release();
    }
  }

  private List<JsonNode> readCached() {
    List<JsonNode> found = new ArrayList<>();
    others.stream().forEach(d -> {
      if (!d.getPath().equals(dir) && !ZKPaths.getNodeFromPath(d.getPath()).equals(functionId) && d.getData() != null
          && d.getData().length > 0) {
        found.add(Json.tree(d.getData()));
      }
    });
    return found;
  }

  private List<JsonNode> readNow() throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (String child : curator.getChildren().forPath(dir)) {
      if (child.equals(functionId)) {
        continue;
      }
      try {
        byte[] data = curator.getData().forPath(ZKPaths.makePath(dir, child));
        if (data != null && data.length > 0) {
          found.add(Json.tree(data));
        }
      } catch (KeeperException.NoNodeException ended) {
        continue;
      }
    }
    return found;
  }

  /** The others' claims as {want, held}. */
  private static List<int[]> claims(List<JsonNode> nodes) {
    List<int[]> claims = new ArrayList<>(nodes.size());
    for (JsonNode n : nodes) {
      claims.add(new int[] {n.path("want").asInt(0), n.path("held").asInt(0)});
    }
    return claims;
  }

  private static int fairShare(int limit, int want, List<int[]> others) {
    int[] wants = new int[others.size() + 1];
    wants[0] = want;
    for (int i = 0; i < others.size(); i++) {
      wants[i + 1] = others.get(i)[0];
    }
    return fairShares(limit, wants)[0];
  }

  /**
   * The max-min fair division of {@code limit} slots over {@code wants}: nobody gets more than they want, and the
   * rest is spread evenly, the remainder going to the first ones that still want more.
   */
  static int[] fairShares(int limit, int[] wants) {
    int[] shares = new int[wants.length];
    int left = limit;
    while (left > 0) {
      int hungry = 0;
      for (int i = 0; i < wants.length; i++) {
        if (shares[i] < wants[i]) {
          hungry++;
        }
      }
      if (hungry == 0) {
        break;
      }
      int each = Math.max(1, left / hungry);
      for (int i = 0; i < wants.length && left > 0; i++) {
        int give = Math.min(each, Math.min(wants[i] - shares[i], left));
        if (give > 0) {
          shares[i] += give;
          left -= give;
        }
      }
    }
    return shares;
  }

  private static byte[] claim(int want, int held) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("want", want);
    n.put("held", held);
    return Json.toBytes(n);
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    others.close();
    worker.shutdownNow();
    try {
      node.close();
    } catch (java.io.IOException e) {
      LOG.warn("could not remove the running share of function {}", functionId, e);
    }
  }
}
