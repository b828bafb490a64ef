package io.spool.core.state;

import io.spool.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what dead masters left of their hold on a function: their nodes in the master lock and the live node.
 * Each lock node names the YARN application of the master that made it; a node lasts until its ZooKeeper session
 * expires, which after a cluster restart or a {@code kill -9} is a whole session timeout later, and a new master
 * waits that long for the lock. The caller knows from YARN which applications have ended; a zombie that still runs
 * is fenced by the epoch the new master takes.
 */
public final class StaleLeadership {

  private static final Logger LOG = LoggerFactory.getLogger(StaleLeadership.class);

  private StaleLeadership() {}

  /** The data of a lock node: the holder's application id. */
  public static byte[] holder(String applicationId) {
    return applicationId.getBytes(StandardCharsets.UTF_8);
  }

  /** The YARN application that a master's live node names, or null if it names none. */
  public static String liveApplication(byte[] live) {
    return Json.tree(live).path("applicationId").asText(null);
  }

  /**
   * Deletes the function's lock nodes and live node whose application {@code ended} says has ended; nodes that name
   * no application (made by older masters) are left to their session.
   *
   * @return how many nodes were deleted
   */
  public static int clear(CuratorFramework curator, StateLayout layout, String functionId, Predicate<String> ended)
      throws Exception {
    int cleared = 0;
    List<String> children;
    try {
      children = curator.getChildren().forPath(layout.masterLock(functionId));
    } catch (KeeperException.NoNodeException none) {
      children = List.of();
    }
    for (String child : children) {
      String path = ZKPaths.makePath(layout.masterLock(functionId), child);
      if (deleteIfEnded(curator, path, applicationOf(curator, path), ended)) {
        cleared++;
      }
    }
    String live = layout.masterLive(functionId);
    byte[] data = read(curator, live);
    String liveApplication = data == null ? null : liveApplication(data);
    if (deleteIfEnded(curator, live, liveApplication, ended)) {
      cleared++;
    }
    if (cleared > 0) {
      LOG.info("removed {} nodes of ended masters of function {}", cleared, functionId);
    }
    return cleared;
  }

  private static String applicationOf(CuratorFramework curator, String path) throws Exception {
    byte[] data = read(curator, path);
    if (data == null) {
      return null;
    }
    String text = new String(data, StandardCharsets.UTF_8);
    return text.startsWith("application_") ? text : null;
  }

  private static byte[] read(CuratorFramework curator, String path) throws Exception {
    try {
      return curator.getData().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      return null;
    }
  }

  private static boolean deleteIfEnded(CuratorFramework curator, String path, String application,
      Predicate<String> ended) throws Exception {
    if (application == null || !ended.test(application)) {
      return false;
    }
    try {
      curator.delete().forPath(path);
      return true;
    } catch (KeeperException.NoNodeException gone) {
      return false;
    }
  }
}
