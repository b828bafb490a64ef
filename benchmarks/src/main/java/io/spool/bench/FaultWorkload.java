package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.local.EmbeddedCluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * The fault workload: a run of short jobs on an embedded cluster of its own, stopped midway (as {@code spool local
 * stop} does) and started again on the same data; then, with no client attached, the time from the cluster serving
 * again to the first job that ends, and to the last. Its supervisor is what starts the function's master.
 */
final class FaultWorkload {

  /** Seconds each job sleeps before it burns its CPU: the run lasts long enough to be stopped midway. */
  private static final double HOLD_SECONDS = 0.1;

  private FaultWorkload() {}

  static Measurement run(BenchOptions options, PrintWriter out, String distJar) throws Exception {
    int jobs = Math.max(20, Math.min(200, options.jobs() / 10));
    List<Double> firstJob = new ArrayList<>();
    List<Double> allJobs = new ArrayList<>();
    List<Double> doneBeforeStop = new ArrayList<>();
    for (int r = 0; r < options.repetitions(); r++) {
      Path dir = options.out().resolve("fault-cluster");
      FileUtil.fullyDelete(dir.toFile());
      try {
        String functionId;
        try (EmbeddedCluster cluster = EmbeddedCluster.start(dir);
             Spool spool = Spool.connect(configuration(cluster, distJar))) {
          Function f = Function.builder(spool, BenchContext.writeBurnFile(options.out().resolve("work-fault"))
              + ":burn").memory("256Mi").maximumConcurrency(2).build().save();
          BenchContext.awaitBuilt(f);
          List<List<Object>> args = new ArrayList<>();
          for (int i = 0; i < jobs; i++) {
            args.add(List.of(i, HOLD_SECONDS));
          }
          f.map(args);
          functionId = f.id();
          await(() -> f.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L), jobs / 4);
        }
        try (EmbeddedCluster cluster = EmbeddedCluster.start(dir)) {
          long back = System.nanoTime();
          Configuration conf = cluster.clientConfiguration();
          try (StateStore store = StateStore.builder().configuration(conf)
              .identity(Spool.identity(conf, BlobStore.open(conf), UserGroupInformation.getCurrentUser()
                  .getShortUserName())).build()) {
            store.start();
            LongSupplier succeeded = () -> store.jobStatistics(functionId).asMap().getOrDefault(JobStatus.SUCCESS, 0L);
            long before = succeeded.getAsLong();
            if (before >= jobs) {
              throw new IllegalStateException("the run ended before the cluster stopped: no fault to measure");
            }
            await(succeeded, before + 1);
            firstJob.add(BenchContext.seconds(back));
            await(succeeded, jobs);
            allJobs.add(BenchContext.seconds(back));
            doneBeforeStop.add((double) before);
          }
        }
      } finally {
        FileUtil.fullyDelete(dir.toFile());
      }
      out.printf("  repetition %d: first job %.1f s and all %d jobs %.1f s after the cluster was back%n", r + 1,
          firstJob.get(r), jobs, allJobs.get(r));
      out.flush();
    }
    return Measurement.alone("fault", "cluster stopped mid-run, started: first job ends, no client", "s",
        firstJob, Map.of("jobs", jobs, "allJobsSeconds", allJobs, "doneBeforeTheStop", doneBeforeStop,
            "holdSeconds", HOLD_SECONDS));
  }

  private static Configuration configuration(EmbeddedCluster cluster, String distJar) {
    Configuration conf = cluster.clientConfiguration();
    if (!distJar.isEmpty()) {
      conf.set(SpoolConfig.DIST_JAR, Paths.get(distJar).toAbsolutePath().normalize().toString());
    }
    return conf;
  }

  /** Waits until {@code count} reaches {@code target}, within the benchmark's timeout. */
  private static void await(LongSupplier count, long target) throws InterruptedException {
    long deadline = System.nanoTime() + BenchContext.TIMEOUT.toNanos();
    while (count.getAsLong() < target) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("fewer than " + target + " jobs ended within "
            + BenchContext.TIMEOUT.toMinutes() + " min");
      }
      Thread.sleep(50);
    }
  }
}
