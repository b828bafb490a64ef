package io.spool.appmaster;

import io.spool.core.json.Json;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import java.io.Closeable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices clients' cancel requests for running jobs: a one-shot ZooKeeper data watch on each job while it runs. The
 * watcher only hands the event to a thread of its own (never blocking in a watcher); that thread reads the job and,
 * if a client wrote CANCEL, reports it; while the job still runs it watches again.
 */
final class CancelWatcher implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(CancelWatcher.class);

  private final StateStore store;
  private final Consumer<String> onCancel;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cancel-watcher");
    t.setDaemon(true);
    return t;
  });

  CancelWatcher(StateStore store, Consumer<String> onCancel) {
    this.store = store;
    this.onCancel = onCancel;
  }

  /** Starts watching a job that was just handed to an executor. */
  void watch(String jobId) {
    worker.execute(() -> check(jobId));
  }

  private void check(String jobId) {
    try {
      CuratorWatcher watcher = (WatchedEvent event) -> {
        if (event.getType() == Watcher.Event.EventType.NodeDataChanged) {
          worker.execute(() -> check(jobId));
        }
      };
      byte[] data = store.curator().getData().usingWatcher(watcher).forPath(store.layout().job(jobId));
      JobStatus status = Json.fromBytes(data, JobRecord.class).status();
      if (status == JobStatus.CANCEL) {
        onCancel.accept(jobId);
      }
    } catch (KeeperException.NoNodeException gone) {
      LOG.debug("job {} is gone", jobId);
    } catch (Exception e) {
      LOG.warn("watching job {} for cancellation failed", jobId, e);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
