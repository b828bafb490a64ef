package io.spool.core.state;

import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** The ZooKeeper implementation of {@link StateStore}, through Curator. */
final class CuratorStateStore implements StateStore {

  private enum State { LATENT, STARTED, CLOSED }

  private static final int CONNECT_TIMEOUT_MS = 15_000;
  private static final long FEED_IDLE_MS = 300_000;
  private static final long FEED_LOAD_WAIT_MS = 5_000;
  private static final int SUBMIT_ATTEMPTS = 1_000;
  private static final int PRUNE_BATCH = 500;
  private static final int DELETE_ATTEMPTS = 3;

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final String connectString;
  private final StateLayout layout;
  private final CuratorFramework curator;
  private final int maxBatch;
  private final JobLimits limits;
  /** Owners of functions this process has read (a function's owner never changes). */
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  private final Map<String, Versioned<StatusCounts>> masterCounts = new ConcurrentHashMap<>();
  /** The completion logs this process follows (see {@link #feed}). */
  private final Map<String, CompletionFeed> feeds = new ConcurrentHashMap<>();
  /** Functions whose completion-log parent this process has made sure of. */
  private final java.util.Set<String> completionLogs = ConcurrentHashMap.newKeySet();
  /** Functions whose cancel-request parent this process has made sure of. */
  private final java.util.Set<String> cancelLogs = ConcurrentHashMap.newKeySet();

  CuratorStateStore(String connectString, StateLayout layout, int sessionTimeoutMs, int maxBatch, JobLimits limits,
      StateIdentity identity, List<org.apache.zookeeper.data.Id> admins) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("submit batch size must be at least 1, not " + maxBatch);
    }
    this.connectString = connectString;
    this.layout = layout;
    this.maxBatch = maxBatch;
    this.limits = limits;
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(sessionTimeoutMs)
        .connectionTimeoutMs(CONNECT_TIMEOUT_MS)
        .retryPolicy(new ExponentialBackoffRetry(100, 6));
    if (identity != null) {
      builder.authorization("digest", identity.authorization()).aclProvider(new OwnerAcls(layout, identity, admins));
    }
    this.curator = builder.build();
  }

  @Override
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("state store already started or closed");
    }
    curator.start();
    try {
      if (!curator.blockUntilConnected(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        curator.close();
        throw new IllegalStateException("cannot reach ZooKeeper at " + connectString
            + " within " + CONNECT_TIMEOUT_MS / 1000 + " s: is the cluster running? (check spool.zookeeper.quorum)");
      }
      createIfMissing(layout.functions());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      curator.close();
      throw new IllegalStateException("interrupted while connecting to ZooKeeper", e);
    }
  }

  @Override
  public CuratorFramework curator() {
    return curator;
  }

  @Override
  public StateLayout layout() {
    return layout;
  }

  @Override
  public void createFunction(FunctionRecord record) {
    String fid = record.id();
    try {
      List<CuratorOp> ops = new ArrayList<>();
      if (record.owner() != null) {
        createIfMissing(layout.ownerFunctions(record.owner()));
        ops.add(curator.transactionOp().create().forPath(layout.ownerFunction(record.owner(), fid)));
      }
      ops.addAll(List.of(
          curator.transactionOp().create().forPath(layout.function(fid), Json.toBytes(record)),
          curator.transactionOp().create().forPath(layout.jobs(fid)),
          curator.transactionOp().create().forPath(layout.submissions(fid)),
          curator.transactionOp().create().forPath(layout.batches(fid)),
          curator.transactionOp().create().forPath(layout.completions(fid)),
          curator.transactionOp().create().forPath(layout.cancels(fid)),
          curator.transactionOp().create().forPath(layout.master(fid)),
          curator.transactionOp().create().forPath(layout.masterEpoch(fid), "0".getBytes(StandardCharsets.UTF_8)),
          curator.transactionOp().create().forPath(layout.stats(fid)),
          curator.transactionOp().create().forPath(layout.masterStats(fid), new StatusCounts().toBytes()),
          curator.transactionOp().create().forPath(layout.clientStats(fid), new StatusCounts().toBytes())));
      curator.transaction().forOperations(ops);
    } catch (Exception e) {
      throw failure("create function " + fid, e);
    }
  }

  @Override
  public Optional<Versioned<FunctionRecord>> function(String functionId) {
    return read(layout.function(functionId), FunctionRecord.class);
  }

  @Override
  public List<String> functionIds() {
    try {
      List<String> ids = new ArrayList<>(curator.getChildren().forPath(layout.functions()));
      ids.sort(null);
      return ids;
    } catch (Exception e) {
      throw failure("list functions", e);
    }
  }

  @Override
  public FunctionRecord updateFunction(String functionId, UnaryOperator<FunctionRecord> change) {
    while (true) {
      Versioned<FunctionRecord> current = function(functionId)
          .orElseThrow(() -> new NotFoundException("no function with id '" + functionId + "'"));
      FunctionRecord next = change.apply(current.value());
      try {
        curator.setData().withVersion(current.version()).forPath(layout.function(functionId), Json.toBytes(next));
        return next;
      } catch (KeeperException.BadVersionException raced) {
        continue;
      } catch (Exception e) {
        throw failure("update function " + functionId, e);
      }
    }
  }

  @Override
  public FunctionRecord updateFunction(Fence fence, UnaryOperator<FunctionRecord> change) throws StaleFenceException {
    String fid = fence.functionId();
    while (true) {
      Versioned<FunctionRecord> current = function(fid)
          .orElseThrow(() -> new NotFoundException("no function with id '" + fid + "'"));
      FunctionRecord next = change.apply(current.value());
      try {
        curator.transaction().forOperations(
            curator.transactionOp().check().withVersion(fence.version()).forPath(layout.masterEpoch(fid)),
            curator.transactionOp().setData().withVersion(current.version())
                .forPath(layout.function(fid), Json.toBytes(next)));
        return next;
      } catch (KeeperException.BadVersionException raced) {
        checkFence(fence);
      } catch (Exception e) {
        throw failure("update function " + fid, e);
      }
    }
  }

  @Override
  public List<String> submitJobs(String functionId, String batchId, List<JobRecord> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    if (jobs.size() > maxBatch) {
      throw new IllegalArgumentException("a batch holds at most " + maxBatch + " jobs, not " + jobs.size());
    }
    String marker = layout.batch(functionId, batchId);
    try {
      boolean shardsMade = false;
      for (int attempt = 1; ; attempt++) {
        SubmitView view = submitView(functionId);
        long first = view.lastNumber() + 1;
        long last = first + jobs.size() - 1;
        Instant now = Instant.now();
        List<CuratorOp> ops = new ArrayList<>(jobs.size() + 8);
        // the numbers are taken in the same write that uses them: a refused submission takes none
        byte[] counter = ByteBuffer.allocate(Long.BYTES).putLong(last).array();
        ops.add(view.counterVersion() < 0
            ? curator.transactionOp().create().forPath(layout.sequence(functionId), counter)
            : curator.transactionOp().setData().withVersion(view.counterVersion())
                .forPath(layout.sequence(functionId), counter));
        ops.add(curator.transactionOp().create().forPath(marker,
            (first + ":" + jobs.size()).getBytes(StandardCharsets.UTF_8)));
        for (long shard = first / StateLayout.SHARD_SIZE; shard <= last / StateLayout.SHARD_SIZE; shard++) {
          String path = layout.shard(functionId, shard * StateLayout.SHARD_SIZE);
          if (shardsMade) {
            createIfMissing(path);
          } else if (Math.max(1, shard * StateLayout.SHARD_SIZE) >= first) { // the shard's first job is among these
            ops.add(curator.transactionOp().create().forPath(path));
          }
        }
        List<String> ids = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
          String id = JobId.of(functionId, first + i);
          JobRecord job = jobs.get(i).id(id).status(JobStatus.PENDING).creationDate(now);
          ops.add(curator.transactionOp().create().forPath(layout.job(id), Json.toBytes(job)));
          ids.add(id);
        }
        ops.add(curator.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
            .forPath(layout.submissionPrefix(functionId),
                ("{\"first\":" + first + ",\"count\":" + jobs.size() + "}").getBytes(StandardCharsets.UTF_8)));
        try {
          ops.add(acceptingJobs(functionId, view.function()));
          ops.addAll(checkLimits(functionId, view.clientCounts().value(), view.masterCounts(), jobs.size(),
              "submitting"));
        } catch (BuildFailedRefusalException | LimitExceededException refused) {
          // a batch submitted before (its client retries) keeps its jobs
          return submittedBatch(functionId, marker).orElseThrow(() -> refused);
        }
        ops.add(curator.transactionOp().setData().withVersion(view.clientCounts().version())
            .forPath(layout.clientStats(functionId), view.clientCounts().value().add(JobStatus.PENDING, jobs.size())
                .toBytes()));
        try {
          curator.transaction().forOperations(ops);
          return ids;
        } catch (KeeperException.NodeExistsException exists) {
          Optional<List<String>> done = submittedBatch(functionId, marker);
          if (done.isPresent()) {
            return done.get();
          }
          shardsMade = true; // another submission made the counter, or a shard exists: made outside this write
        } catch (KeeperException.BadVersionException raced) {
          // another submission took numbers or changed the counts checked, or the function changed: the racers
          // spread out a little before they read again
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(Math.min(attempt, 20) + 1));
        } catch (KeeperException.NoNodeException missing) {
          if (curator.checkExists().forPath(layout.function(functionId)) == null) {
            throw missing;
          }
          shardsMade = true; // a shard that an earlier submission's failure left out, or another function deleted
        }
        if (attempt >= SUBMIT_ATTEMPTS) {
          throw new IllegalStateException("could not submit to function " + functionId + " in " + SUBMIT_ATTEMPTS
              + " attempts: too much contention on its job numbers and counts, try again");
        }
      }
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("submit " + jobs.size() + " jobs to function " + functionId, e);
    }
  }

  /**
   * What a submission reads, in one round of parallel reads: the job counter (its last number, version -1 while it
   * does not exist), the function record, and the function's client and master counts.
   */
  private record SubmitView(long lastNumber, int counterVersion, Versioned<FunctionRecord> function,
      Versioned<StatusCounts> clientCounts, StatusCounts masterCounts) {}

  private SubmitView submitView(String functionId) throws Exception {
    String counter = layout.sequence(functionId);
    String record = layout.function(functionId);
    String clients = layout.clientStats(functionId);
    String masters = layout.masterStats(functionId);
    Map<String, Versioned<byte[]>> read = readAll(List.of(counter, record, clients, masters), path -> path,
        (path, data) -> data, "the state of function " + functionId);
    if (!read.containsKey(record) || !read.containsKey(clients)) {
      curator.getData().forPath(record); // says why: the function is gone, or another user's
      curator.getData().forPath(clients);
    }
    Versioned<byte[]> number = read.get(counter);
    Versioned<byte[]> f = read.get(record);
    FunctionRecord function = Json.fromBytes(f.value(), FunctionRecord.class);
    if (function.owner() != null) {
      owners.putIfAbsent(functionId, function.owner());
    }
    Versioned<byte[]> c = read.get(clients);
    Versioned<byte[]> m = read.get(masters);
    return new SubmitView(number == null || number.value().length < Long.BYTES ? 0
        : ByteBuffer.wrap(number.value()).getLong(), number == null ? -1 : number.version(),
        new Versioned<>(function, f.version()), new Versioned<>(StatusCounts.fromBytes(c.value()), c.version()),
        m == null ? new StatusCounts() : StatusCounts.fromBytes(m.value()));
  }

  @Override
  public void checkLimits(String functionId, long adding) {
    try {
      checkLimits(functionId, clientCounts(functionId).value(), adding, "submitting");
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("check the limits of function " + functionId, e);
    }
  }

  /**
   * Refuses {@code adding} more outstanding jobs of {@code fid} where they would pass a limit. Returns the checks of
   * the owner's other functions' client counts that the write must include: every increase of outstanding jobs is
   * a compare-and-set of its function's client counts, so with these checks a racing submission to another of the
   * owner's functions makes the write fail and count again, instead of both passing the per-user limit.
   */
  private List<CuratorOp> checkLimits(String fid, StatusCounts clientCounts, long adding, String doing)
      throws Exception {
    if (adding <= 0 || !limits.perFunction() && !limits.perUser()) {
      return List.of();
    }
    return checkLimits(fid, clientCounts, StatusCounts.fromBytes(curator.getData().forPath(layout.masterStats(fid))),
        adding, doing);
  }

  /** {@link #checkLimits(String, StatusCounts, long, String)} with the function's master counts read already. */
  private List<CuratorOp> checkLimits(String fid, StatusCounts clientCounts, StatusCounts masterCounts, long adding,
      String doing) throws Exception {
    if (adding <= 0 || !limits.perFunction() && !limits.perUser()) {
      return List.of();
    }
    long own = outstanding(clientCounts) + outstanding(masterCounts);
    if (limits.perFunction() && own + adding > limits.outstandingPerFunction()) {
      throw new LimitExceededException(String.format("%s %,d jobs would pass the limit of %,d outstanding (PENDING or"
          + " RUNNING) jobs per function (%s): function %s has %,d; wait for jobs to end or cancel some, or ask the"
          + " cluster's administrator to raise the limit", doing, adding, limits.outstandingPerFunction(),
          SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION, fid, own),
          SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_FUNCTION, limits.outstandingPerFunction());
    }
    String owner = owner(fid);
    if (!limits.perUser() || owner == null) {
      return List.of();
    }
    List<String> others = new ArrayList<>();
    try {
      others.addAll(curator.getChildren().forPath(layout.ownerFunctions(owner)));
    } catch (KeeperException.NoNodeException none) {
      // the owner's index is made with the first function: none of theirs counts yet
    }
    others.remove(fid);
    Map<String, Versioned<StatusCounts>> clients = new java.util.HashMap<>();
    Map<String, Versioned<StatusCounts>> masters = new java.util.HashMap<>();
    List<String> paths = new ArrayList<>(others.size() * 2);
    others.forEach(other -> paths.addAll(List.of(layout.clientStats(other), layout.masterStats(other))));
    Map<String, Versioned<StatusCounts>> read = readAll(paths, path -> path,
        (path, data) -> StatusCounts.fromBytes(data), "job counts");
    for (String other : others) {
      Versioned<StatusCounts> client = read.get(layout.clientStats(other));
      if (client != null) {
        clients.put(other, client);
        Optional.ofNullable(read.get(layout.masterStats(other))).ifPresent(m -> masters.put(other, m));
      }
    }
    long total = own;
    List<CuratorOp> checks = new ArrayList<>(clients.size());
    for (Map.Entry<String, Versioned<StatusCounts>> c : clients.entrySet()) {
      Versioned<StatusCounts> m = masters.get(c.getKey());
      total += outstanding(c.getValue().value()) + (m == null ? 0 : outstanding(m.value()));
      checks.add(curator.transactionOp().check().withVersion(c.getValue().version())
          .forPath(layout.clientStats(c.getKey())));
    }
    if (total + adding > limits.outstandingPerUser()) {
      throw new LimitExceededException(String.format("%s %,d jobs would pass the limit of %,d outstanding (PENDING or"
          + " RUNNING) jobs per user (%s): %s has %,d across %d functions; wait for jobs to end or cancel some, or"
          + " ask the cluster's administrator to raise the limit", doing, adding, limits.outstandingPerUser(),
          SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_USER, owner, total, clients.size() + 1),
          SpoolConfig.LIMIT_OUTSTANDING_JOBS_PER_USER, limits.outstandingPerUser());
    }
    return checks;
  }

  private static long outstanding(StatusCounts counts) {
    return counts.get(JobStatus.PENDING) + counts.get(JobStatus.RUNNING);
  }

  /** The owner of a function (null if its record names none), read once per process. */
  private String owner(String fid) throws Exception {
    String known = owners.get(fid);
    if (known != null) {
      return known;
    }
    String owner = Json.fromBytes(curator.getData().forPath(layout.function(fid)), FunctionRecord.class).owner();
    if (owner != null) {
      owners.put(fid, owner);
    }
    return owner;
  }

  private Optional<List<String>> submittedBatch(String functionId, String marker) throws Exception {
    Stat stat = curator.checkExists().forPath(marker);
    if (stat == null) {
      return Optional.empty();
    }
    String[] range = new String(curator.getData().forPath(marker), StandardCharsets.UTF_8).split(":");
    long first = Long.parseLong(range[0]);
    int count = Integer.parseInt(range[1]);
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(JobId.of(functionId, first + i));
    }
    return Optional.of(ids);
  }

  @Override
  public Optional<Versioned<JobRecord>> job(String jobId) {
    return read(layout.job(jobId), JobRecord.class);
  }

  @Override
  public Optional<Versioned<JobRecord>> job(String jobId, Runnable onChange) {
    try {
      Stat stat = new Stat();
      byte[] data = curator.getData().storingStatIn(stat).usingWatcher(watcher(onChange)).forPath(layout.job(jobId));
      return Optional.of(new Versioned<>(Json.fromBytes(data, JobRecord.class), stat.getVersion()));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw failure("read job " + jobId, e);
    }
  }

  /**
   * A one-shot watcher that only hands the event on (nothing may block ZooKeeper's event thread). Watchers of the
   * same {@code onChange} are equal, so a caller that watches again before anything changed adds no second watch.
   */
  private static org.apache.zookeeper.Watcher watcher(Runnable onChange) {
    return new Signal(onChange);
  }

  private record Signal(Runnable onChange) implements org.apache.zookeeper.Watcher {
    @Override
    public void process(org.apache.zookeeper.WatchedEvent event) {
      onChange.run();
    }
  }

  @Override
  public Map<String, Versioned<JobRecord>> jobs(Collection<String> jobIds) {
    return readAll(jobIds, layout::job, (id, data) -> Json.fromBytes(data, JobRecord.class), "jobs");
  }

  /** Reads many records in parallel; ids whose znode does not exist are absent from the result. */
  private <T> Map<String, Versioned<T>> readAll(Collection<String> ids, java.util.function.Function<String, String> path,
      java.util.function.BiFunction<String, byte[], T> decode, String what) {
    Map<String, Versioned<T>> found = new ConcurrentHashMap<>();
    CountDownLatch pending = new CountDownLatch(ids.size());
    AtomicReference<Exception> error = new AtomicReference<>();
    try {
      for (String id : ids) {
        curator.getData().inBackground((client, event) -> {
          try {
            if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
              found.put(id, new Versioned<>(decode.apply(id, event.getData()), event.getStat().getVersion()));
            } else if (event.getResultCode() != KeeperException.Code.NONODE.intValue()
                && event.getResultCode() != KeeperException.Code.NOAUTH.intValue()) {
              error.compareAndSet(null, KeeperException.create(KeeperException.Code.get(event.getResultCode()), event.getPath()));
            }
          } finally {
            pending.countDown();
          }
        }).forPath(path.apply(id));
      }
      if (!pending.await(CONNECT_TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("ZooKeeper did not answer reads of " + ids.size() + " records in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading from ZooKeeper", e);
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw failure("read " + what, e);
    }
    if (error.get() != null) {
      throw failure("read " + what, error.get());
    }
    return found;
  }

  @Override
  public List<String> jobShards(String functionId) {
    try {
      List<String> shards = new ArrayList<>(curator.getChildren().forPath(layout.jobs(functionId)));
      shards.sort(null);
      return shards;
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("list job shards of function " + functionId, e);
    }
  }

  @Override
  public List<Versioned<JobRecord>> shardJobs(String functionId, String shard) {
    List<String> ids = new ArrayList<>();
    try {
      for (String n : curator.getChildren().forPath(layout.jobs(functionId) + "/" + shard)) {
        ids.add(JobId.of(functionId, Long.parseLong(n)));
      }
    } catch (KeeperException.NoNodeException gone) {
      return List.of();
    } catch (Exception e) {
      throw failure("list jobs of function " + functionId, e);
    }
    Map<String, Versioned<JobRecord>> found = jobs(ids);
    List<Versioned<JobRecord>> jobs = new ArrayList<>(found.values());
    jobs.sort(Comparator.comparingLong(v -> JobId.number(v.value().id())));
    return jobs;
  }

  @Override
  public List<String> jobIds(String functionId) {
    try {
      List<String> shards = new ArrayList<>(curator.getChildren().forPath(layout.jobs(functionId)));
      shards.sort(null);
      List<String> ids = new ArrayList<>();
      for (String shard : shards) {
        List<String> numbers = new ArrayList<>(curator.getChildren().forPath(layout.jobs(functionId) + "/" + shard));
        numbers.sort(Comparator.comparingLong(Long::parseLong));
        for (String n : numbers) {
          ids.add(JobId.of(functionId, Long.parseLong(n)));
        }
      }
      return ids;
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("list jobs of function " + functionId, e);
    }
  }

  @Override
  public boolean compareAndSet(JobWrite write) {
    String fid = write.record().functionId();
    String path = layout.job(write.record().id());
    try {
      while (true) {
        Versioned<StatusCounts> counts = clientCounts(fid);
        List<CuratorOp> ops = new ArrayList<>(3);
        ops.add(curator.transactionOp().setData().withVersion(write.expectedVersion())
            .forPath(path, Json.toBytes(write.record())));
        ops.add(curator.transactionOp().setData().withVersion(counts.version()).forPath(layout.clientStats(fid),
            counts.value().move(write.previous(), write.record().status()).toBytes()));
        completionEntry(fid, List.of(write)).ifPresent(ops::add);
        cancelRequest(fid, write).ifPresent(ops::add);
        try {
          curator.transaction().forOperations(ops);
          return true;
        } catch (KeeperException.BadVersionException raced) {
          Stat stat = curator.checkExists().forPath(path);
          if (stat == null || stat.getVersion() != write.expectedVersion()) {
            return false;
          }
        }
      }
    } catch (KeeperException.NoNodeException gone) {
      return false;
    } catch (Exception e) {
      throw failure("write job " + write.record().id(), e);
    }
  }

  /**
   * A client's cancel of a running job, for the function's master: an entry of the function's cancel requests (its
   * master follows them, rather than watching every job it runs). Functions created before the requests existed get
   * their parent on first use.
   */
  private Optional<CuratorOp> cancelRequest(String functionId, JobWrite write) throws Exception {
    if (write.record().status() != JobStatus.CANCEL || write.previous() != JobStatus.RUNNING) {
      return Optional.empty();
    }
    ensureParent(cancelLogs, functionId, layout.cancels(functionId));
    return Optional.of(curator.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
        .forPath(layout.cancelPrefix(functionId),
            Long.toString(JobId.number(write.record().id())).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Makes {@code path}, a log's parent that functions created before the log existed lack, once per process and
   * function ({@code made} remembers them, only once made).
   */
  private void ensureParent(java.util.Set<String> made, String functionId, String path) {
    if (!made.contains(functionId)) {
      createIfMissing(path);
      made.add(functionId);
    }
  }

  private Versioned<StatusCounts> clientCounts(String functionId) throws Exception {
    Stat stat = new Stat();
    byte[] data = curator.getData().storingStatIn(stat).forPath(layout.clientStats(functionId));
    return new Versioned<>(StatusCounts.fromBytes(data), stat.getVersion());
  }

  @Override
  public List<Boolean> requeue(String functionId, List<JobWrite> writes) {
    if (writes.isEmpty()) {
      return List.of();
    }
    if (writes.size() > maxBatch) {
      throw new IllegalArgumentException("a batch holds at most " + maxBatch + " jobs, not " + writes.size());
    }
    try {
      while (true) {
        Versioned<StatusCounts> counts = clientCounts(functionId);
        StatusCounts next = new StatusCounts().plus(counts.value());
        List<CuratorOp> ops = new ArrayList<>(writes.size() + 2);
        StringBuilder numbers = new StringBuilder("{\"numbers\":[");
        for (JobWrite w : writes) {
          ops.add(curator.transactionOp().setData().withVersion(w.expectedVersion())
              .forPath(layout.job(w.record().id()), Json.toBytes(w.record())));
          next.move(w.previous(), w.record().status());
          numbers.append(numbers.charAt(numbers.length() - 1) == '[' ? "" : ",").append(JobId.number(w.record().id()));
        }
        ops.add(curator.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
            .forPath(layout.submissionPrefix(functionId), numbers.append("]}").toString().getBytes(StandardCharsets.UTF_8)));
        long adding = writes.stream().filter(w -> !isOutstanding(w.previous()) && isOutstanding(w.record().status()))
            .count();
        ops.add(acceptingJobs(functionId));
        ops.addAll(checkLimits(functionId, counts.value(), adding, "rerunning"));
        ops.add(curator.transactionOp().setData().withVersion(counts.version())
            .forPath(layout.clientStats(functionId), next.toBytes()));
        try {
          curator.transaction().forOperations(ops);
          List<Boolean> applied = new ArrayList<>();
          writes.forEach(w -> applied.add(Boolean.TRUE));
          return applied;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
          if (clientCounts(functionId).version() != counts.version()) {
            continue;
          }
          List<JobWrite> current = new ArrayList<>();
          List<Boolean> applied = new ArrayList<>();
          for (JobWrite w : writes) {
            Stat stat = curator.checkExists().forPath(layout.job(w.record().id()));
            boolean unchanged = stat != null && stat.getVersion() == w.expectedVersion();
            applied.add(unchanged);
            if (unchanged) {
              current.add(w);
            }
          }
          if (current.size() == writes.size()) {
            continue;
          }
          List<Boolean> retried = requeue(functionId, current);
          for (int i = 0, j = 0; i < applied.size(); i++) {
            if (applied.get(i)) {
              applied.set(i, retried.get(j++));
            }
          }
          return applied;
        }
      }
    } catch (IllegalArgumentException | LimitExceededException e) {
      throw e;
    } catch (Exception e) {
      throw failure("rerun " + writes.size() + " jobs of function " + functionId, e);
    }
  }

  @Override
  public boolean deleteJob(String jobId, int expectedVersion, JobStatus status) {
    String fid = JobId.functionId(jobId);
    try {
      while (true) {
        Versioned<StatusCounts> counts = clientCounts(fid);
        try {
          curator.transaction().forOperations(
              curator.transactionOp().delete().withVersion(expectedVersion).forPath(layout.job(jobId)),
              curator.transactionOp().setData().withVersion(counts.version()).forPath(layout.clientStats(fid),
                  counts.value().move(status, null).toBytes()));
          return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
          Stat stat = curator.checkExists().forPath(layout.job(jobId));
          if (stat == null || stat.getVersion() != expectedVersion) {
            return false;
          }
        }
      }
    } catch (Exception e) {
      throw failure("delete job " + jobId, e);
    }
  }

  @Override
  public List<Boolean> deleteJobs(String functionId, List<JobDeletion> deletions) {
    List<Boolean> applied = new ArrayList<>(deletions.size());
    try {
      for (int from = 0; from < deletions.size(); from += maxBatch) {
        List<JobDeletion> chunk = deletions.subList(from, Math.min(deletions.size(), from + maxBatch));
        for (int attempt = 1; ; attempt++) {
          Versioned<StatusCounts> counts = clientCounts(functionId);
          StatusCounts next = new StatusCounts().plus(counts.value());
          List<CuratorOp> ops = new ArrayList<>(chunk.size() + 1);
          for (JobDeletion d : chunk) {
            if (!JobId.functionId(d.jobId()).equals(functionId)) {
              throw new IllegalArgumentException("job " + d.jobId() + " is not a job of function " + functionId);
            }
            ops.add(curator.transactionOp().delete().withVersion(d.expectedVersion()).forPath(layout.job(d.jobId())));
            next.move(d.status(), null);
          }
          ops.add(curator.transactionOp().setData().withVersion(counts.version())
              .forPath(layout.clientStats(functionId), next.toBytes()));
          try {
            curator.transaction().forOperations(ops);
            chunk.forEach(d -> applied.add(Boolean.TRUE));
            break;
          } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
            if (attempt < DELETE_ATTEMPTS && clientCounts(functionId).version() != counts.version()) {
              continue; // the counts changed (perhaps only they): the whole chunk again
            }
            for (JobDeletion d : chunk) { // a job changed or went, or the counts keep changing: each on its own
              applied.add(deleteJob(d.jobId(), d.expectedVersion(), d.status()));
            }
            break;
          }
        }
      }
      return applied;
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw failure("delete " + deletions.size() + " jobs of function " + functionId, e);
    }
  }

  @Override
  public StatusCounts jobStatistics(String functionId) {
    try {
      return StatusCounts.fromBytes(curator.getData().forPath(layout.masterStats(functionId)))
          .plus(StatusCounts.fromBytes(curator.getData().forPath(layout.clientStats(functionId))));
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("read the job statistics of function " + functionId, e);
    }
  }

  @Override
  public StatusCounts jobStatistics(String functionId, Runnable onChange) {
    org.apache.zookeeper.Watcher watcher = watcher(onChange);
    try {
      return StatusCounts.fromBytes(curator.getData().usingWatcher(watcher).forPath(layout.masterStats(functionId)))
          .plus(StatusCounts.fromBytes(curator.getData().usingWatcher(watcher).forPath(layout.clientStats(functionId))));
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("read the job statistics of function " + functionId, e);
    }
  }

  private static boolean isOutstanding(JobStatus status) {
    return status == JobStatus.PENDING || status == JobStatus.RUNNING;
  }

  @Override
  public void deleteFunction(String functionId) {
    try {
      String owner = owner(functionId);
      if (owner != null) {
        try {
          curator.delete().guaranteed().forPath(layout.ownerFunction(owner, functionId));
        } catch (KeeperException.NoNodeException notIndexed) {
          // made before the owner index, or deleted by a racing call
        }
      }
      // the large lists first, many nodes per multi-op (the recursive delete takes one round trip per node)
      for (String shard : children(layout.jobs(functionId))) {
        String path = layout.jobs(functionId) + "/" + shard;
        deleteLeaves(path, children(path));
      }
      for (String log : List.of(layout.completions(functionId), layout.batches(functionId))) {
        deleteLeaves(log, children(log));
      }
      curator.delete().guaranteed().deletingChildrenIfNeeded().forPath(layout.function(functionId));
    } catch (KeeperException.NoNodeException gone) {
      return;
    } catch (Exception e) {
      throw failure("delete function " + functionId, e);
    }
  }

  private List<String> children(String path) throws Exception {
    try {
      return curator.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
  }

  /**
   * Deletes the nodes {@code names} (which have no children) under {@code parent}, {@value #PRUNE_BATCH} per
   * multi-op; those someone else deleted meanwhile are skipped. Returns how many this call deleted.
   */
  private int deleteLeaves(String parent, List<String> names) throws Exception {
    int deleted = 0;
    for (int from = 0; from < names.size(); from += PRUNE_BATCH) {
      List<String> chunk = names.subList(from, Math.min(names.size(), from + PRUNE_BATCH));
      List<CuratorOp> ops = new ArrayList<>(chunk.size());
      for (String name : chunk) {
        ops.add(curator.transactionOp().delete().forPath(parent + "/" + name));
      }
      try {
        curator.transaction().forOperations(ops);
        deleted += chunk.size();
      } catch (KeeperException.NoNodeException someGone) { // the rest one by one
        for (String name : chunk) {
          try {
            curator.delete().forPath(parent + "/" + name);
            deleted++;
          } catch (KeeperException.NoNodeException gone) {
            continue;
          }
        }
      }
    }
    return deleted;
  }

  @Override
  public List<Versioned<FunctionRecord>> functions() {
    List<String> ids = functionIds();
    Map<String, Versioned<FunctionRecord>> found = readAll(ids, layout::function,
        (id, data) -> Json.fromBytes(data, FunctionRecord.class), "functions");
    List<Versioned<FunctionRecord>> all = new ArrayList<>(found.size());
    for (String id : ids) {
      if (found.containsKey(id)) {
        all.add(found.get(id));
      }
    }
    return all;
  }

  @Override
  public List<Boolean> commit(Fence fence, List<JobWrite> writes, List<String> finishedSubmissions)
      throws StaleFenceException {
    String fid = fence.functionId();
    List<CuratorOp> ops = new ArrayList<>(writes.size() + finishedSubmissions.size() + 2);
    try {
      Versioned<StatusCounts> counts = masterCounts(fid);
      StatusCounts next = new StatusCounts().plus(counts.value());
      ops.add(curator.transactionOp().check().withVersion(fence.version()).forPath(layout.masterEpoch(fid)));
      for (JobWrite w : writes) {
        ops.add(curator.transactionOp().setData().withVersion(w.expectedVersion())
            .forPath(layout.job(w.record().id()), Json.toBytes(w.record())));
        next.move(w.previous(), w.record().status());
      }
      for (String name : finishedSubmissions) {
        ops.add(curator.transactionOp().delete().forPath(layout.submissions(fid) + "/" + name));
      }
      completionEntry(fid, writes).ifPresent(ops::add);
      if (!writes.isEmpty()) {
        ops.add(curator.transactionOp().setData().withVersion(counts.version())
            .forPath(layout.masterStats(fid), next.toBytes()));
      }
      curator.transaction().forOperations(ops);
      if (!writes.isEmpty()) {
        masterCounts.put(fid, new Versioned<>(next, counts.version() + 1));
      }
      List<Boolean> applied = new ArrayList<>(writes.size());
      writes.forEach(w -> applied.add(Boolean.TRUE));
      return applied;
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException conflict) {
      checkFence(fence);
      return commitOneByOne(fence, writes, finishedSubmissions);
    } catch (StaleFenceException e) {
      throw e;
    } catch (Exception e) {
      throw failure("commit " + writes.size() + " job writes of function " + fid, e);
    }
  }

  /** The master's counts node as this process last wrote it (read once per epoch). */
  private Versioned<StatusCounts> masterCounts(String functionId) throws Exception {
    Versioned<StatusCounts> cached = masterCounts.get(functionId);
    if (cached == null) {
      Stat stat = new Stat();
      byte[] data = curator.getData().storingStatIn(stat).forPath(layout.masterStats(functionId));
      cached = new Versioned<>(StatusCounts.fromBytes(data), stat.getVersion());
      masterCounts.put(functionId, cached);
    }
    return cached;
  }

  private List<Boolean> commitOneByOne(Fence fence, List<JobWrite> writes, List<String> finishedSubmissions)
      throws StaleFenceException {
    String fid = fence.functionId();
    List<Boolean> applied = new ArrayList<>(writes.size());
    for (JobWrite w : writes) {
      try {
        masterCounts.remove(fid);
        Versioned<StatusCounts> counts = masterCounts(fid);
        StatusCounts next = new StatusCounts().plus(counts.value()).move(w.previous(), w.record().status());
        List<CuratorOp> ops = new ArrayList<>(4);
        ops.add(curator.transactionOp().check().withVersion(fence.version()).forPath(layout.masterEpoch(fid)));
        ops.add(curator.transactionOp().setData().withVersion(w.expectedVersion())
            .forPath(layout.job(w.record().id()), Json.toBytes(w.record())));
        ops.add(curator.transactionOp().setData().withVersion(counts.version())
            .forPath(layout.masterStats(fid), next.toBytes()));
        completionEntry(fid, List.of(w)).ifPresent(ops::add);
        curator.transaction().forOperations(ops);
        masterCounts.put(fid, new Versioned<>(next, counts.version() + 1));
        applied.add(Boolean.TRUE);
      } catch (KeeperException.BadVersionException | KeeperException.NoNodeException conflict) {
        checkFence(fence);
        applied.add(Boolean.FALSE);
      } catch (Exception e) {
        throw failure("write job " + w.record().id(), e);
      }
    }
    for (String name : finishedSubmissions) {
      try {
        curator.delete().forPath(layout.submissions(fid) + "/" + name);
      } catch (KeeperException.NoNodeException gone) {
        continue;
      } catch (Exception e) {
        throw failure("delete submission " + name, e);
      }
    }
    return applied;
  }

  /**
   * The completion-log entry for the writes that end a job, if any do. Functions created before the log existed get
   * its parent on first use.
   */
  private Optional<CuratorOp> completionEntry(String functionId, List<JobWrite> writes) throws Exception {
    List<Long> ended = new ArrayList<>();
    for (JobWrite w : writes) {
      if (w.record().status().isTerminal() && (w.previous() == null || !w.previous().isTerminal())) {
        ended.add(JobId.number(w.record().id()));
      }
    }
    if (ended.isEmpty()) {
      return Optional.empty();
    }
    ensureParent(completionLogs, functionId, layout.completions(functionId));
    return Optional.of(curator.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
        .forPath(layout.completionPrefix(functionId), Completion.encode(ended)));
  }

  @Override
  public List<Completion> completions(String functionId, String after, Runnable onChange) {
    String parent = layout.completions(functionId);
    try {
      if (onChange != null) {
        CompletionFeed feed = feed(functionId);
        if (feed != null && feed.settled()) {
          return feed.after(after, onChange);
        }
      }
      List<String> names;
      try {
        names = new ArrayList<>(onChange == null ? curator.getChildren().forPath(parent)
            : curator.getChildren().usingWatcher(watcher(onChange)).forPath(parent));
      } catch (KeeperException.NoNodeException noLogYet) {
        if (curator.checkExists().forPath(layout.function(functionId)) == null) {
          throw new NotFoundException("no function with id '" + functionId + "'");
        }
        createIfMissing(parent);
        return completions(functionId, after, onChange);
      }
      names.removeIf(name -> after != null && name.compareTo(after) <= 0);
      names.sort(null);
      Map<String, Versioned<Completion>> read = readAll(names, name -> parent + "/" + name,
          Completion::parse, "completion-log entries");
      List<Completion> entries = new ArrayList<>(read.size());
      for (String name : names) {
        Versioned<Completion> entry = read.get(name);
        if (entry != null) {
          entries.add(entry.value());
        }
      }
      return entries;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw failure("read the completion log of function " + functionId, e);
    }
  }

  /**
   * The feed of a function's completion log, started at its first follower (null while it is still loading the log);
   * feeds no follower has read for {@value #FEED_IDLE_MS} ms are closed.
   */
  private CompletionFeed feed(String functionId) throws Exception {
    long idleLimit = TimeUnit.MILLISECONDS.toNanos(FEED_IDLE_MS);
    for (Map.Entry<String, CompletionFeed> e : feeds.entrySet()) {
      if (e.getValue().idleNanos() > idleLimit && feeds.remove(e.getKey(), e.getValue())) {
        e.getValue().close();
      }
    }
    CompletionFeed feed = feeds.get(functionId);
    if (feed == null) {
      String parent = layout.completions(functionId);
      if (curator.checkExists().forPath(parent) == null) {
        if (curator.checkExists().forPath(layout.function(functionId)) == null) {
          throw new NotFoundException("no function with id '" + functionId + "'");
        }
        createIfMissing(parent);
      }
      CompletionFeed started = CompletionFeed.start(curator, parent);
      feed = feeds.putIfAbsent(functionId, started);
      if (feed == null) {
        feed = started;
      } else {
        started.close();
      }
    }
    return state.get() == State.STARTED && feed.ready(FEED_LOAD_WAIT_MS) ? feed : null;
  }

  @Override
  public int pruneCompletions(String functionId, Instant before) {
    String parent = layout.completions(functionId);
    try {
      List<String> names = new ArrayList<>(curator.getChildren().forPath(parent));
      names.sort(null);
      // entries are made in the order of their names, so the old ones come first: their end is found in log(n) reads
      int old = 0;
      int young = names.size();
      while (old < young) {
        int mid = (old + young) >>> 1;
        Stat stat = curator.checkExists().forPath(parent + "/" + names.get(mid));
        if (stat == null || stat.getCtime() < before.toEpochMilli()) {
          old = mid + 1;
        } else {
          young = mid;
        }
      }
      return deleteLeaves(parent, names.subList(0, old));
    } catch (KeeperException.NoNodeException noLog) {
      return 0;
    } catch (Exception e) {
      throw failure("prune the completion log of function " + functionId, e);
    }
  }

  private void checkFence(Fence fence) throws StaleFenceException {
    try {
      Stat stat = curator.checkExists().forPath(layout.masterEpoch(fence.functionId()));
      if (stat == null || stat.getVersion() != fence.version()) {
        throw new StaleFenceException(fence);
      }
    } catch (StaleFenceException e) {
      throw e;
    } catch (Exception e) {
      throw failure("check master epoch", e);
    }
  }

  @Override
  public List<Submission> submissions(String functionId) {
    try {
      List<String> names = new ArrayList<>(curator.getChildren().forPath(layout.submissions(functionId)));
      names.sort(null);
      List<Submission> entries = new ArrayList<>(names.size());
      for (String name : names) {
        try {
          entries.add(Submission.parse(name, curator.getData().forPath(layout.submissions(functionId) + "/" + name)));
        } catch (KeeperException.NoNodeException finished) {
          continue;
        }
      }
      return entries;
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("read submissions of function " + functionId, e);
    }
  }

  @Override
  public Fence takeEpoch(String functionId) {
    String path = layout.masterEpoch(functionId);
    try {
      while (true) {
        Stat stat = new Stat();
        long epoch = Long.parseLong(new String(curator.getData().storingStatIn(stat).forPath(path), StandardCharsets.UTF_8)) + 1;
        try {
          Stat written = curator.setData().withVersion(stat.getVersion())
              .forPath(path, Long.toString(epoch).getBytes(StandardCharsets.UTF_8));
          masterCounts.remove(functionId);
          return new Fence(functionId, epoch, written.getVersion());
        } catch (KeeperException.BadVersionException raced) {
          continue;
        }
      }
    } catch (KeeperException.NoNodeException e) {
      throw new NotFoundException("no function with id '" + functionId + "'");
    } catch (Exception e) {
      throw failure("take master epoch of function " + functionId, e);
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.STARTED) {
      feeds.values().forEach(CompletionFeed::close);
      feeds.clear();
      curator.close();
    }
  }

  private <T> Optional<Versioned<T>> read(String path, Class<T> type) {
    try {
      Stat stat = new Stat();
      byte[] data = curator.getData().storingStatIn(stat).forPath(path);
      return Optional.of(new Versioned<>(Json.fromBytes(data, type), stat.getVersion()));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw failure("read " + path, e);
    }
  }

  private void createIfMissing(String path) {
    try {
      curator.create().creatingParentsIfNeeded().forPath(path);
    } catch (KeeperException.NodeExistsException exists) {
      return;
    } catch (Exception e) {
      throw failure("create " + path, e);
    }
  }

  /**
   * The check, for a write that adds jobs to run, that the function is as read now; refuses the write at once if its
   * build failed. With the check, a build that fails meanwhile makes the write fail and read again: the master ends
   * the jobs that were submitted before its failure, and none is submitted after it.
   */
  private CuratorOp acceptingJobs(String functionId) throws Exception {
    Stat stat = new Stat();
    FunctionRecord f = Json.fromBytes(curator.getData().storingStatIn(stat).forPath(layout.function(functionId)),
        FunctionRecord.class);
    return acceptingJobs(functionId, new Versioned<>(f, stat.getVersion()));
  }

  /** {@link #acceptingJobs(String)} with the function's record read already. */
  private CuratorOp acceptingJobs(String functionId, Versioned<FunctionRecord> f) throws Exception {
    if (f.value().status() == FunctionStatus.BUILD_FAILED) {
      throw new BuildFailedRefusalException(functionId, f.value().statusReason());
    }
    return curator.transactionOp().check().withVersion(f.version()).forPath(layout.function(functionId));
  }

  private static RuntimeException failure(String what, Exception cause) {
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (cause instanceof KeeperException.NoAuthException) {
      return new AccessDeniedException("cannot " + what + ": it belongs to another user (ZooKeeper refused "
          + ((KeeperException) cause).getPath() + " to this user's credentials)", cause);
    }
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    return new StateStoreException("cannot " + what + ": " + cause.getMessage(), cause);
  }
}
