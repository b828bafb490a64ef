package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.data.Stat;

/**
 * {@code map} of M jobs: jobs/s into ZooKeeper, the ZooKeeper bytes (data and path) of the job znodes of one shard,
 * per job, and the growth of the live master's heap per queued job. The function has one executor, kept busy by a
 * job that sleeps, so its master learns of the M jobs from the submission log and queues them but can start none.
 */
final class SubmissionWorkload {

  /** Job znodes read per repetition to estimate the bytes per job. */
  static final int SAMPLED_JOBS = 1000;
  /** The master's queue entry, one per queued job: its live instances prove that the master holds the M jobs. */
  static final String QUEUED_CLASS = "io.spool.appmaster.Scheduler$Queued";
  /** Classes whose change per queued job the JSON keeps, largest (growth or shrinkage) first. */
  static final int TOP_CLASSES = 12;
  /** Pause between two baseline readings of the master's heap (their difference is the baseline's drift). */
  private static final long BASELINE_SETTLE_MS = 1000;
  private static final long QUEUE_POLL_MS = 500;
  /** How long the job that keeps the executor busy sleeps: longer than any repetition (it is canceled after). */
  private static final int HOLD_SECONDS = 3600;

  private SubmissionWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    int m = ctx.options.mapJobs();
    List<List<Object>> args = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      args.add(List.of(i));
    }
    List<Double> rates = new ArrayList<>();
    List<Double> bytes = new ArrayList<>();
    HeapSamples heap = new HeapSamples();
    String root = ctx.conf.get(SpoolConfig.ZOOKEEPER_ROOT, SpoolConfig.ZOOKEEPER_ROOT_DEFAULT);
    try (StateStore store = StateStore.builder().configuration(ctx.conf)
        .identity(Spool.identity(ctx.conf, BlobStore.open(ctx.conf), ctx.spool.user())).build()) {
      store.start();
      CuratorFramework zk = store.curator();
      for (int r = 0; r < ctx.options.repetitions(); r++) {
        Function f = ctx.track(ctx.burnFunction(1).build().save());
        BenchContext.awaitBuilt(f);
        Job hold = occupyTheExecutor(f);
        Baseline baseline = baseline(ctx, f, heap);
        long start = System.nanoTime();
        List<Job> jobs = f.map(args);
        double seconds = BenchContext.seconds(start);
        if (jobs.size() != m) {
          throw new IllegalStateException("map returned " + jobs.size() + " jobs of " + m);
        }
        rates.add(m / seconds);
        bytes.add(bytesPerJob(zk, ZKPaths.makePath(root, "functions", f.id(), "jobs")));
        ctx.progress("  submission %d/%d: %.0f jobs/s, %.0f ZooKeeper bytes per job", r + 1,
            ctx.options.repetitions(), rates.get(r), bytes.get(r));
        if (baseline != null) {
          try {
            queuedHeap(ctx, f, baseline, m, heap);
          } catch (IllegalStateException | IOException e) {
            heap.notMeasured(e.getMessage());
            ctx.progress("  master heap not measured: %s", e.getMessage());
          }
        }
        f.stop();
        hold.cancel();
        hold.waitForCompletion(BenchContext.TIMEOUT);
        ctx.deleteFunctions();
      }
    }
    return List.of(
        Measurement.alone("submission", "map of " + m + " jobs into ZooKeeper", "jobs/s", rates, Map.of()),
        Measurement.alone("submission", "ZooKeeper bytes per job (data + path)", "bytes", bytes, Map.of()),
        heap.measurement(m));
  }

  /**
   * Starts a job that sleeps on the function's only executor and waits until it runs: every job mapped after it
   * stays in the master's queue.
   */
  private static Job occupyTheExecutor(Function f) throws InterruptedException {
    Job hold = f.callWith(List.of(-1), Map.of("hold", HOLD_SECONDS));
    long deadline = System.nanoTime() + BenchContext.TIMEOUT.toNanos();
    while (hold.refresh().status() != JobStatus.RUNNING) {
      if (hold.status().isTerminal() || System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the job that holds the executor of function " + f.id() + " did not start: "
            + hold.status() + (hold.errorReason() == null ? "" : " (" + hold.errorReason() + ")"));
      }
      Thread.sleep(QUEUE_POLL_MS);
    }
    return hold;
  }

  /** The master's live heap before anything is queued, or null (and the reason noted) if it cannot be read. */
  private static Baseline baseline(BenchContext ctx, Function f, HeapSamples samples) throws InterruptedException {
    try {
      MasterHeap master = MasterHeap.find(f.id());
      MasterHeap.Histogram first = master.liveHistogram();
      Thread.sleep(BASELINE_SETTLE_MS);
      MasterHeap.Histogram second = master.liveHistogram();
      if (second.instancesOf(QUEUED_CLASS) != 0) {
        throw new IllegalStateException("the master of function " + f.id() + " queued jobs before any was mapped");
      }
      return new Baseline(master, second, second.totalBytes() - first.totalBytes());
    } catch (IllegalStateException | IOException e) {
      samples.notMeasured(e.getMessage());
      ctx.progress("  master heap not measured: %s", e.getMessage());
      return null;
    }
  }

  /**
   * Waits until the master holds all {@code m} jobs in its queue (its {@link #QUEUED_CLASS} instances, and the
   * function's PENDING count), then reads its live heap again: (after − before) / m.
   */
  private static void queuedHeap(BenchContext ctx, Function f, Baseline baseline, int m, HeapSamples samples)
      throws Exception {
    MasterHeap master = baseline.master();
    long deadline = System.nanoTime() + BenchContext.TIMEOUT.toNanos();
    long queued;
    while ((queued = master.allObjectsHistogram().instancesOf(QUEUED_CLASS)) < m) {
      if (!master.alive() || System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the master of function " + f.id() + " (pid " + master.pid() + ") "
            + (master.alive() ? "queued only " + queued + " of " + m + " jobs in " + BenchContext.TIMEOUT.toMinutes()
            + " min" : "exited before it queued the jobs"));
      }
      Thread.sleep(QUEUE_POLL_MS);
    }
    long pending = f.jobStatistics().getOrDefault(JobStatus.PENDING, 0L);
    MasterHeap.Histogram after = master.liveHistogram();
    if (after.instancesOf(QUEUED_CLASS) != m || pending != m) {
      throw new IllegalStateException("the master of function " + f.id() + " holds " + after.instancesOf(QUEUED_CLASS)
          + " live queue entries and the function counts " + pending + " PENDING jobs; expected " + m);
    }
    samples.add(baseline, after, m);
    ctx.progress("  submission: master heap %.1f bytes per queued job (%d queued; live heap %d → %d bytes; "
            + "baseline drift %d bytes)", samples.perJob.get(samples.perJob.size() - 1), m,
        baseline.histogram().totalBytes(), after.totalBytes(), baseline.drift());
  }

  /** The master's process and its live heap with nothing queued, and how much that moved in a second. */
  private record Baseline(MasterHeap master, MasterHeap.Histogram histogram, long drift) {}

  /** Every repetition's heap figures, or why they could not be taken. */
  private static final class HeapSamples {
    final List<Double> perJob = new ArrayList<>();
    final List<Long> before = new ArrayList<>();
    final List<Long> after = new ArrayList<>();
    final List<Long> drift = new ArrayList<>();
    final List<Map<String, Map<String, Number>>> growth = new ArrayList<>();
    String notMeasured;

    void add(Baseline baseline, MasterHeap.Histogram histogram, int m) {
      perJob.add((double) (histogram.totalBytes() - baseline.histogram().totalBytes()) / m);
      before.add(baseline.histogram().totalBytes());
      after.add(histogram.totalBytes());
      drift.add(baseline.drift());
      Map<String, Long> grown = new HashMap<>();
      histogram.bytes().forEach((cls, b) -> grown.put(cls, b - baseline.histogram().bytes().getOrDefault(cls, 0L)));
      baseline.histogram().bytes().forEach((cls, b) -> grown.putIfAbsent(cls, -b));
      Map<String, Map<String, Number>> top = new LinkedHashMap<>();
      grown.entrySet().stream()
          .sorted(Comparator.comparingLong((Map.Entry<String, Long> e) -> Math.abs(e.getValue())).reversed())
          .limit(TOP_CLASSES)
          .forEach(e -> top.put(e.getKey(), Map.of("bytesPerJob", (double) e.getValue() / m,
              "instances", histogram.instancesOf(e.getKey()) - baseline.histogram().instancesOf(e.getKey()))));
      growth.add(top);
    }

    void notMeasured(String reason) {
      if (notMeasured == null) {
        notMeasured = reason;
      }
    }

    Measurement measurement(int m) {
      Map<String, Object> raw = new LinkedHashMap<>();
      raw.put("queuedJobs", m);
      raw.put("liveHeapBeforeBytes", before);
      raw.put("liveHeapAfterBytes", after);
      raw.put("baselineDriftBytes", drift);
      raw.put("changePerQueuedJobByClass", growth);
      if (notMeasured != null) {
        raw.put("notMeasured", notMeasured);
      }
      String metric = perJob.isEmpty() ? "master heap per queued job: NOT MEASURED (see bench.json)"
          : "master heap per queued job (" + m + " queued, live)";
      return Measurement.alone("submission", metric, "bytes", perJob, raw);
    }
  }

  /** The mean data and path size of up to {@link #SAMPLED_JOBS} job znodes under {@code jobsPath}. */
  private static double bytesPerJob(CuratorFramework zk, String jobsPath) throws Exception {
    long total = 0;
    int counted = 0;
    for (String shard : zk.getChildren().forPath(jobsPath)) {
      String shardPath = ZKPaths.makePath(jobsPath, shard);
      for (String job : zk.getChildren().forPath(shardPath)) {
        String path = ZKPaths.makePath(shardPath, job);
        Stat stat = new Stat();
        zk.getData().storingStatIn(stat).forPath(path);
        total += stat.getDataLength() + path.length();
        if (++counted >= SAMPLED_JOBS) {
          return (double) total / counted;
        }
      }
    }
    if (counted == 0) {
      throw new IllegalStateException("no job znodes under " + jobsPath);
    }
    return (double) total / counted;
  }
}
