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
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's completion log as one process follows it: a {@link CuratorCache} (one persistent recursive watch)
 * holds the entries by name, so a follower reads the entries after its cursor without listing the log, which holds
 * every write that ended jobs for the retention period (listing it on every wake made following it quadratic).
 * Followers are told of a change once per registration, like a one-shot watch. Entries arrive in the order of their
 * names except while the cache rebuilds after a reconnection: the feed is not {@link #settled()} then.
 */
final class CompletionFeed implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(CompletionFeed.class);

  /** How long after a reconnection the cache may still be adding entries out of order (its rebuild). */
  static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String parent;
  private final CuratorFramework curator;
  private final ConnectionStateListener connection = (client, state) -> connectionChanged(state);
  private final CuratorCache cache;
  private final ConcurrentSkipListMap<String, Completion> entries = new ConcurrentSkipListMap<>();
  private final Set<Runnable> followers = ConcurrentHashMap.newKeySet();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile long unsettledUntilNanos = System.nanoTime();
  private volatile boolean disconnected;

  private CompletionFeed(CuratorFramework curator, String parent) {
    this.parent = parent;
    this.curator = curator;
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
    curator.getConnectionStateListenable().addListener(feed.connection);
    feed.cache.start();
    return feed;
  }

  /**
   * Whether the entries arrive in the order of their names, so that a follower's cursor skips none: not while the
   * connection is down, nor for {@link #SETTLE_NANOS} after it is back (the cache then lists and reads the log again,
   * in no particular order); the store lists the log itself meanwhile.
   */
  boolean settled() {
    return !disconnected && System.nanoTime() - unsettledUntilNanos >= 0;
  }

  private void connectionChanged(ConnectionState state) {
    disconnected = !state.isConnected();
    unsettledUntilNanos = System.nanoTime() + SETTLE_NANOS;
    if (state.isConnected()) {
      changed(); // followers look again (through a listing until the feed has settled)
    }
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
    if (!entries.isEmpty() && name.compareTo(entries.lastKey()) < 0) {
      unsettledUntilNanos = System.nanoTime() + SETTLE_NANOS; // a late entry: a rebuild is going on
    }
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
    curator.getConnectionStateListenable().removeListener(connection);
    cache.close();
    changed();
  }
}
