package io.spool.appmaster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.json.Json;
import io.spool.core.state.Fence;
import io.spool.core.state.StaleLeadership;
import io.spool.core.state.StateStore;
import java.io.Closeable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This master's hold on its function: the master lock (a Curator {@link InterProcessMutex}), the epoch that fences
 * its writes, and the ephemeral {@code live} node that tells clients where it listens. A SUSPENDED connection
 * pauses the master; a LOST one ends its leadership.
 */
final class MasterLeadership implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(MasterLeadership.class);

  private final StateStore store;
  private final String functionId;
  private final String applicationId;
  private final InterProcessMutex lock;
  private Fence fence;
  private ConnectionStateListener listener;

  MasterLeadership(StateStore store, String functionId, String applicationId) {
    this.store = store;
    this.functionId = functionId;
    this.applicationId = applicationId;
    this.lock = new NamedMutex(store.curator(), store.layout().masterLock(functionId), applicationId);
  }

  /**
   * Takes the lock within {@code waitMs} and then a new epoch; false if another master holds it. What an earlier
   * attempt of this application left is removed first: YARN starts an attempt only once the one before has ended.
   */
  boolean acquire(long waitMs) throws Exception {
    StaleLeadership.clear(store.curator(), store.layout(), functionId, applicationId::equals);
    if (!lock.acquire(waitMs, TimeUnit.MILLISECONDS)) {
      return false;
    }
    fence = store.takeEpoch(functionId);
    LOG.info("master of function {} at epoch {}", functionId, fence.epoch());
    return true;
  }

  Fence fence() {
    return fence;
  }

  /** Watches the ZooKeeper connection: {@code paused} hears SUSPENDED/RECONNECTED, {@code lost} hears LOST. */
  void watch(Consumer<Boolean> paused, Runnable lost) {
    listener = (client, state) -> {
      if (state == ConnectionState.SUSPENDED) {
        paused.accept(true);
      } else if (state == ConnectionState.RECONNECTED) {
        paused.accept(false);
      } else if (state == ConnectionState.LOST) {
        lost.run();
      }
    };
    store.curator().getConnectionStateListenable().addListener(listener);
  }

  /** Publishes where this master listens (ephemeral: it goes with this master's session). */
  void publish(String applicationId, String host, int port) throws Exception {
    ObjectNode live = JsonNodeFactory.instance.objectNode()
        .put("applicationId", applicationId).put("host", host).put("port", port).put("epoch", fence.epoch());
    String path = store.layout().masterLive(functionId);
    try {
      store.curator().create().withMode(CreateMode.EPHEMERAL).forPath(path, Json.toBytes(live));
    } catch (KeeperException.NodeExistsException stale) {
      store.curator().delete().forPath(path);
      store.curator().create().withMode(CreateMode.EPHEMERAL).forPath(path, Json.toBytes(live));
    }
  }

  /** Withdraws the live node (clients will start a new master for new work). */
  void unpublish() throws Exception {
    try {
      store.curator().delete().forPath(store.layout().masterLive(functionId));
    } catch (KeeperException.NoNodeException gone) {
      LOG.debug("live node already gone");
    }
  }

  /** The master lock, its nodes naming this master's application (see {@link StaleLeadership}). */
  private static final class NamedMutex extends InterProcessMutex {
    private final byte[] holder;

    NamedMutex(CuratorFramework curator, String path, String applicationId) {
      super(curator, path);
      this.holder = StaleLeadership.holder(applicationId);
    }

    @Override
    protected byte[] getLockNodeBytes() {
      return holder;
    }
  }

  @Override
  public void close() {
    if (listener != null) {
      store.curator().getConnectionStateListenable().removeListener(listener);
    }
    try {
      unpublish();
      if (lock.isAcquiredInThisProcess()) {
        lock.release();
      }
    } catch (Exception e) {
      LOG.warn("releasing the master lock of {} failed (it goes with the session)", functionId, e);
    }
  }
}
