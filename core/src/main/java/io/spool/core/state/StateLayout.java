package io.spool.core.state;

import io.spool.core.model.JobId;
import org.apache.curator.utils.ZKPaths;

/**
 * Where everything lives in ZooKeeper, under a configurable root:
 *
 * <pre>
 * root/functions/&lt;fid&gt;                        the function record
 * root/functions/&lt;fid&gt;/jobs/&lt;shard&gt;/&lt;n&gt;      job records, at most {@value #SHARD_SIZE} per shard
 * root/functions/&lt;fid&gt;/seq                    counter of job numbers
 * root/functions/&lt;fid&gt;/submissions/s-&lt;seq&gt;   the submission log: job ranges the master has yet to finish
 * root/functions/&lt;fid&gt;/batches/&lt;batchId&gt;     idempotency markers of submitted batches
 * root/functions/&lt;fid&gt;/completions/c-&lt;seq&gt;   the completion log: jobs that ended, one entry per write (pruned)
 * root/functions/&lt;fid&gt;/cancels/r-&lt;seq&gt;       clients' cancels of running jobs, until the master has handled them
 * root/functions/&lt;fid&gt;/master/lock            the lock that makes one master live per function
 * root/functions/&lt;fid&gt;/master/epoch           the live master's epoch; its version fences the master's writes
 * root/functions/&lt;fid&gt;/master/live            ephemeral: where the live master listens
 * root/functions/&lt;fid&gt;/stats/master           job counts per status as the master changed them
 * root/functions/&lt;fid&gt;/stats/client           job counts per status as clients changed them
 * root/owners/&lt;owner&gt;/functions/&lt;fid&gt;       index of an owner's functions (for the per-user limits)
 * root/owners/&lt;owner&gt;/running/&lt;fid&gt;         ephemeral: a live master's share of the owner's running jobs
 * root/owners/&lt;owner&gt;/running-lock            the lock a master holds while it raises its share
 * root/supervisor/leader                    the election of the one active supervisor
 * </pre>
 */
public final class StateLayout {

  /** Most job znodes under one parent (ZooKeeper's getChildren reply is bounded by jute.maxbuffer). */
  public static final int SHARD_SIZE = 1000;

  private final String root;

  public StateLayout(String root) {
    if (root == null || !root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
      throw new IllegalArgumentException("ZooKeeper root '" + root + "' must be an absolute path such as /spool");
    }
    this.root = root;
  }

  public String root() { return root; }

  public String functions() { return ZKPaths.makePath(root, "functions"); }

  public String function(String fid) { return ZKPaths.makePath(functions(), fid); }

  public String jobs(String fid) { return ZKPaths.makePath(function(fid), "jobs"); }

  public String shard(String fid, long number) {
    return ZKPaths.makePath(jobs(fid), String.format("%09d", number / SHARD_SIZE));
  }

  public String job(String jobId) {
    String fid = JobId.functionId(jobId);
    long number = JobId.number(jobId);
    return ZKPaths.makePath(shard(fid, number), Long.toString(number));
  }

  public String sequence(String fid) { return ZKPaths.makePath(function(fid), "seq"); }

  public String submissions(String fid) { return ZKPaths.makePath(function(fid), "submissions"); }

  public String submissionPrefix(String fid) { return ZKPaths.makePath(submissions(fid), "s-"); }

  public String completions(String fid) { return ZKPaths.makePath(function(fid), "completions"); }

  public String completionPrefix(String fid) { return ZKPaths.makePath(completions(fid), "c-"); }

  public String cancels(String fid) { return ZKPaths.makePath(function(fid), "cancels"); }

  public String cancelPrefix(String fid) { return ZKPaths.makePath(cancels(fid), "r-"); }

  public String batches(String fid) { return ZKPaths.makePath(function(fid), "batches"); }

  public String batch(String fid, String batchId) { return ZKPaths.makePath(batches(fid), batchId); }

  public String master(String fid) { return ZKPaths.makePath(function(fid), "master"); }

  public String masterLock(String fid) { return ZKPaths.makePath(master(fid), "lock"); }

  public String masterEpoch(String fid) { return ZKPaths.makePath(master(fid), "epoch"); }

  public String masterLive(String fid) { return ZKPaths.makePath(master(fid), "live"); }

  public String stats(String fid) { return ZKPaths.makePath(function(fid), "stats"); }

  public String masterStats(String fid) { return ZKPaths.makePath(stats(fid), "master"); }

  public String clientStats(String fid) { return ZKPaths.makePath(stats(fid), "client"); }

  public String supervisorLeader() { return ZKPaths.makePath(root, "supervisor", "leader"); }

  public String owners() { return ZKPaths.makePath(root, "owners"); }

  public String ownerFunctions(String owner) { return ZKPaths.makePath(owners(), checkedOwner(owner), "functions"); }

  public String ownerFunction(String owner, String fid) { return ZKPaths.makePath(ownerFunctions(owner), fid); }

  public String ownerRunning(String owner) { return ZKPaths.makePath(owners(), checkedOwner(owner), "running"); }

  public String ownerRunningLock(String owner) { return ZKPaths.makePath(owners(), checkedOwner(owner), "running-lock"); }

  private static String checkedOwner(String owner) {
    if (owner == null || owner.isEmpty() || owner.contains("/")) {
      throw new IllegalArgumentException("'" + owner + "' is not a user name that can own functions");
    }
    return owner;
  }
}
