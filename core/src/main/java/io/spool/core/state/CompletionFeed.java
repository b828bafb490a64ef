package io.spool.core.state;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's completion log as one process follows it: a {@link CuratorCache} (one persistent recursive watch)
 * holds the entries by name, so a follower reads the entries after its cursor without listing the log, which holds
 * every write that ended jobs for the retention period (listing it on every wake made following it quadratic).
 * Followers are told of a change once per registration, like a one-shot watch.
 */
final class CompletionFeed implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(CompletionFeed.class);

  private final String parent;
  private final CuratorCache cache;
  private final ConcurrentSkipListMap<String, Completion> entries = new ConcurrentSkipListMap<>();
  private final Set<Runnable> followers = ConcurrentHashMap.newKeySet();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private volatile long lastUsedNanos = System.nanoTime();

  private CompletionFeed(CuratorFramework curator, String parent) {
    this.parent = parent;
    this.cache = CuratorCache.build(curator, parent);
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((old, now) -> added(now))
        .forDeletes(this::removed)
        .forInitialized(initialized::countDown)
        .build());
  }

  /** Follows the log under {@code parent} (which exists). */
  static CompletionFeed start(CuratorFramework curator, String parent) {
    CompletionFeed feed = new CompletionFeed(curator, parent);
    feed.cache.start();
    return feed;
  }

  /**
   * Waits up to {@code timeoutMs} for the cache to hold the log as it was when the feed started; false if it does not
   * yet (the caller then lists the log itself).
   */
  boolean ready(long timeoutMs) throws InterruptedException {
    return initialized.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /**
   * The entries after {@code after} (all if null), in the order they were written; {@code onChange} runs once at
   * the next change of the log after this call, if not null.
   */
  List<Completion> after(String after, Runnable onChange) {
    lastUsedNanos = System.nanoTime();
    if (onChange != null) {
      followers.add(onChange);
    }
    return new ArrayList<>((after == null ? entries : entries.tailMap(after, false)).values());
  }

  /** Nanoseconds since a follower last read this feed. */
  long idleNanos() {
    return System.nanoTime() - lastUsedNanos;
  }

  private void added(ChildData node) {
    if (node.getPath().equals(parent) || node.getData() == null) {
      return;
    }
    String name = ZKPaths.getNodeFromPath(node.getPath());
    try {
      entries.put(name, Completion.parse(name, node.getData()));
    } catch (RuntimeException e) {
      LOG.warn("completion-log entry {} cannot be read; it is skipped", node.getPath(), e);
    }
    changed();
  }

  private void removed(ChildData node) {
    entries.remove(ZKPaths.getNodeFromPath(node.getPath()));
  }

  private void changed() {
    for (Runnable follower : followers) {
      if (followers.remove(follower)) {
        follower.run();
      }
    }
  }

  @Override
  public void close() {
    cache.close();
    changed();
  }
}
