package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.config.SpoolConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.data.Stat;

/**
 * {@code map} of M jobs to a STOPPED function (so that none runs): jobs/s into ZooKeeper, and the ZooKeeper bytes
 * (data and path) of the job znodes of one shard, per job.
 */
final class SubmissionWorkload {

  /** Job znodes read per repetition to estimate the bytes per job. */
  static final int SAMPLED_JOBS = 1000;

  private SubmissionWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    int m = ctx.options.mapJobs();
    List<List<Object>> args = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      args.add(List.of(i));
    }
    List<Double> rates = new ArrayList<>();
    List<Double> bytes = new ArrayList<>();
    String quorum = ctx.conf.get(SpoolConfig.ZOOKEEPER_QUORUM);
    String root = ctx.conf.get(SpoolConfig.ZOOKEEPER_ROOT, SpoolConfig.ZOOKEEPER_ROOT_DEFAULT);
    try (CuratorFramework zk = CuratorFrameworkFactory.newClient(quorum, new RetryOneTime(1000))) {
      zk.start();
      for (int r = 0; r < ctx.options.repetitions(); r++) {
        Function f = ctx.track(ctx.burnFunction(1).build().save());
        f.stop();
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
        ctx.deleteFunctions();
      }
    }
    return List.of(
        Measurement.alone("submission", "map of " + m + " jobs into ZooKeeper", "jobs/s", rates, Map.of()),
        Measurement.alone("submission", "ZooKeeper bytes per job (data + path)", "bytes", bytes, Map.of()));
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
