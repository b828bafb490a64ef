package io.spool.appmaster;

import io.spool.core.model.JobId;
import io.spool.core.state.StateStore;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows clients' cancels of the function's running jobs: the entries a client writes beside its CANCEL of a job
 * (one cache of the requests' parent, not a watch per running job). Each request is handed to a thread of its own
 * (never blocking ZooKeeper's event thread), reported, then removed; the job's record says whether it still is to
 * be canceled. A request whose handling failed is tried again {@value #RETRY_MS} ms later; requests left by an
 * earlier master are handled the same way at start.
 */
final class CancelRequests implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(CancelRequests.class);
  static final long RETRY_MS = 1_000;

  private final StateStore store;
  private final String functionId;
  private final Predicate<String> onCancel;
  private final CuratorCache cache;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cancel-requests");
    t.setDaemon(true);
    return t;
  });

  private CancelRequests(StateStore store, String functionId, Predicate<String> onCancel) {
    this.store = store;
    this.functionId = functionId;
    this.onCancel = onCancel;
    this.cache = CuratorCache.build(store.curator(), store.layout().cancels(functionId));
    cache.listenable().addListener(CuratorCacheListener.builder().forCreates(this::requested).build());
  }

  /**
   * Follows the cancel requests of {@code functionId}, reporting each job to cancel to {@code onCancel}, which says
   * whether it was handled.
   */
  static CancelRequests start(StateStore store, String functionId, Predicate<String> onCancel) throws Exception {
    try {
      store.curator().create().forPath(store.layout().cancels(functionId));
    } catch (KeeperException.NodeExistsException exists) {
      LOG.debug("the cancel requests of function {} exist", functionId);
    }
    CancelRequests requests = new CancelRequests(store, functionId, onCancel);
    requests.cache.start();
    return requests;
  }

  private void requested(ChildData node) {
    if (node.getPath().equals(store.layout().cancels(functionId)) || node.getData() == null) {
      return;
    }
    try {
      worker.execute(() -> handle(node.getPath(), new String(node.getData(), StandardCharsets.UTF_8)));
    } catch (RejectedExecutionException closing) {
      LOG.info("cancel request {} is left to the next master", node.getPath());
    }
  }

  private void handle(String path, String number) {
    try {
      if (!onCancel.test(JobId.of(functionId, Long.parseLong(number.trim())))) {
        retry(path, number);
        return;
      }
    } catch (NumberFormatException e) {
      LOG.warn("cancel request {} names no job ('{}'); it is removed", path, number);
    }
    try {
      store.curator().delete().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      LOG.debug("cancel request {} was removed already", path);
    } catch (Exception e) {
      LOG.warn("cannot remove cancel request {} (it is handled again by the next master)", path, e);
    }
  }

  private void retry(String path, String number) {
    try {
      worker.schedule(() -> handle(path, number), RETRY_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      LOG.info("cancel request {} is left to the next master", path);
    }
  }

  @Override
  public void close() {
    cache.close();
    worker.shutdownNow();
  }
}
