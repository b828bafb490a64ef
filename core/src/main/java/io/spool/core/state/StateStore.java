package io.spool.core.state;

import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.hadoop.conf.Configuration;

/**
 * Spool's state in ZooKeeper: function records, sharded job records, each function's submission log and the
 * fencing of its master. Clients create functions and jobs; the function's master is the single writer of job
 * execution state, and its writes are fenced by its epoch.
 */
public interface StateStore extends Closeable {

  /** A builder of a store; {@link Builder#build()} then {@link #start()}. */
  static Builder builder() {
    return new Builder();
  }

  /** Connects (waiting a bounded time) and makes sure the root exists. */
  void start();

  /** The Curator client the store uses, for recipes that other components build on the same connection. */
  CuratorFramework curator();

  StateLayout layout();

  /** Creates a new function and its subtree; fails if the id exists. */
  void createFunction(FunctionRecord record);

  Optional<Versioned<FunctionRecord>> function(String functionId);

  /** All function ids. */
  List<String> functionIds();

  /** Every function record (read in parallel). */
  List<Versioned<FunctionRecord>> functions();

  /** Removes a function and all its jobs and bookkeeping from ZooKeeper. */
  void deleteFunction(String functionId);

  /** The function's job counts per status, from the master's and the clients' counts (no scan of jobs). */
  StatusCounts jobStatistics(String functionId);

  /** As {@link #jobStatistics(String)}, and runs {@code onChange} once when either count next changes. */
  StatusCounts jobStatistics(String functionId, Runnable onChange);

  /**
   * The function's completion-log entries written after the entry named {@code after} (all of them if null), oldest
   * first; {@code onChange}, if not null, runs once when an entry is next added or removed. Every write that ends a
   * job (the master's commits, a client's cancel of a pending job) adds an entry in the same multi-op.
   */
  List<Completion> completions(String functionId, String after, Runnable onChange);

  /** Deletes the function's completion-log entries created before {@code before}; returns how many. */
  int pruneCompletions(String functionId, java.time.Instant before);

  /**
   * Applies {@code change} to the function's current record and writes it back with compare-and-set, again on a
   * race, until it succeeds. {@code change} may throw to refuse (e.g. an illegal transition).
   *
   * @throws NotFoundException if the function does not exist
   */
  FunctionRecord updateFunction(String functionId, UnaryOperator<FunctionRecord> change);

  /** As {@link #updateFunction(String, UnaryOperator)}, checking a master's fence in the same multi-op. */
  FunctionRecord updateFunction(Fence fence, UnaryOperator<FunctionRecord> change) throws StaleFenceException;

  /**
   * Creates jobs as one batch: job numbers are taken from the function's counter, the records, an entry of the
   * submission log and the batch's idempotency marker go in one multi-op. Submitting the same {@code batchId}
   * again returns the ids of the first submission and creates nothing.
   *
   * @return the new job ids, in the order of {@code jobs}
   * @throws LimitExceededException if the jobs would pass the function's or its owner's limit of outstanding jobs
   */
  List<String> submitJobs(String functionId, String batchId, List<JobRecord> jobs);

  /**
   * Throws if {@code adding} more outstanding jobs of the function would pass its or its owner's limit now; a check
   * before a submission of many batches, so that it is refused before any of them is written (each batch is
   * checked again as it is written).
   *
   * @throws LimitExceededException naming the limit and its setting
   */
  void checkLimits(String functionId, long adding);

  Optional<Versioned<JobRecord>> job(String jobId);

  /**
   * Reads a job and, until it next changes (or is deleted), watches it: {@code onChange} then runs once. Pass the
   * same {@code onChange} object on every call of a wait: watches of one object on one node are not repeated.
   */
  Optional<Versioned<JobRecord>> job(String jobId, Runnable onChange);

  /** Reads many jobs at once (in parallel); ids that do not exist are absent from the result. */
  Map<String, Versioned<JobRecord>> jobs(Collection<String> jobIds);

  /** Every job id of a function, in job-number order. */
  List<String> jobIds(String functionId);

  /** The names of the shards that hold the function's jobs, in job-number order. */
  List<String> jobShards(String functionId);

  /** The jobs of one shard (see {@link #jobShards(String)}), in job-number order; empty if the shard is gone. */
  List<Versioned<JobRecord>> shardJobs(String functionId, String shard);

  /**
   * Puts ended jobs back to PENDING (compare-and-set each) and appends them to the submission log, in one multi-op,
   * so the master runs them again. A job that changed meanwhile is left alone.
   *
   * @return for each write, whether it was applied
   * @throws LimitExceededException if the jobs would pass the function's or its owner's limit of outstanding jobs
   */
  List<Boolean> requeue(String functionId, List<JobWrite> writes);

  /** Deletes a job if it still has {@code expectedVersion} (its status moves out of the statistics). */
  boolean deleteJob(String jobId, int expectedVersion, JobStatus status);

  /**
   * Deletes jobs of one function that still have their expected versions, many in each multi-op; a job that changed
   * meanwhile is left as it is. Returns, for each deletion, whether it was applied.
   */
  List<Boolean> deleteJobs(String functionId, List<JobDeletion> deletions);

  /** A single compare-and-set write of a job (the client's side of races such as cancel vs. start). */
  boolean compareAndSet(JobWrite write);

  /**
   * The master's batched write: all {@code writes} and deletions of finished submission-log entries in one
   * multi-op checked against {@code fence}. If the multi-op fails on a version conflict, the writes are retried one
   * by one so that only the conflicting ones are lost.
   *
   * @return for each write, whether it was applied
   * @throws StaleFenceException if a newer master holds the function
   */
  List<Boolean> commit(Fence fence, List<JobWrite> writes, List<String> finishedSubmissions) throws StaleFenceException;

  /** The function's submission log, oldest first. */
  List<Submission> submissions(String functionId);

  /** Takes the next epoch of the function's master; call while holding the master lock. */
  Fence takeEpoch(String functionId);

  @Override
  void close();

  /** Builds a {@link StateStore}. */
  final class Builder {
    private String connectString;
    private String root = SpoolConfig.ZOOKEEPER_ROOT_DEFAULT;
    private int sessionTimeoutMs = SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS_DEFAULT;
    private int submitBatchSize = SpoolConfig.SUBMIT_BATCH_SIZE_DEFAULT;
    private JobLimits limits = JobLimits.NONE;
    private StateIdentity identity;
    private List<org.apache.zookeeper.data.Id> admins = List.of();

    private Builder() {}

    /** Connect string, root, timeouts and the limits on outstanding jobs from Spool's configuration. */
    public Builder configuration(Configuration conf) {
      this.connectString = conf.getTrimmed(SpoolConfig.ZOOKEEPER_QUORUM,
          SpoolConfig.ZOOKEEPER_QUORUM_DEFAULT);
      this.root = conf.getTrimmed(SpoolConfig.ZOOKEEPER_ROOT,
          SpoolConfig.ZOOKEEPER_ROOT_DEFAULT);
      this.sessionTimeoutMs = conf.getInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS,
          SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS_DEFAULT);
      this.submitBatchSize = conf.getInt(SpoolConfig.SUBMIT_BATCH_SIZE,
          SpoolConfig.SUBMIT_BATCH_SIZE_DEFAULT);
      this.limits = JobLimits.from(conf);
      this.admins = adminIds(conf);
      return this;
    }

    public Builder connectString(String connectString) {
      this.connectString = connectString;
      return this;
    }

    public Builder root(String root) {
      this.root = root;
      return this;
    }

    /** The limits that submissions and reruns through this store stay within. */
    public Builder limits(JobLimits limits) {
      this.limits = java.util.Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Acts as {@code identity}: the store's session authenticates as it, and every node the store creates is its
     * alone (and readable by the administrators that the configuration names). Without one, nodes are open to all.
     */
    public Builder identity(StateIdentity identity) {
      this.identity = identity;
      return this;
    }

    /** The ids of {@link SpoolConfig#ZOOKEEPER_ADMIN_ACLS}. */
    static List<org.apache.zookeeper.data.Id> adminIds(Configuration conf) {
      List<org.apache.zookeeper.data.Id> ids = new java.util.ArrayList<>();
      for (String entry : conf.getTrimmedStrings(SpoolConfig.ZOOKEEPER_ADMIN_ACLS)) {
        int colon = entry.indexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
          throw new IllegalArgumentException("'" + entry + "' in " + SpoolConfig.ZOOKEEPER_ADMIN_ACLS
              + " is not a ZooKeeper id of the form scheme:id (e.g. sasl:spool)");
        }
        ids.add(new org.apache.zookeeper.data.Id(entry.substring(0, colon), entry.substring(colon + 1)));
      }
      return List.copyOf(ids);
    }

    public StateStore build() {
      if (connectString == null || connectString.isEmpty()) {
        throw new IllegalArgumentException("no ZooKeeper quorum: set " + SpoolConfig.ZOOKEEPER_QUORUM);
      }
      return new CuratorStateStore(connectString, new StateLayout(root), sessionTimeoutMs, submitBatchSize,
          limits, identity, admins);
    }
  }
}
