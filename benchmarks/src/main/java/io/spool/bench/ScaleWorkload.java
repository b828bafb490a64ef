package io.spool.bench;

import io.spool.client.Function;
import io.spool.core.model.JobProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Many jobs of a trivial function end to end ({@code --scale-jobs}, 100,000): map, wait for every job, read every
 * result, on a READY function of two executors (job process reused); against the same calls through a local
 * {@code multiprocessing.Pool(2)}. Also what the cluster did per job: HDFS files created, NameNode calls, ZooKeeper
 * writes.
 */
final class ScaleWorkload {

  private static final String TRIVIAL_SOURCE = """
      def echo(i):
          return i
      """;

  private static final String POOL_SOURCE = """
      import multiprocessing
      import sys

      sys.path.insert(0, sys.argv[1])
      from trivial import echo

      if __name__ == "__main__":
          n = int(sys.argv[2])
          with multiprocessing.Pool(2) as pool:
              results = pool.map(echo, range(n), chunksize=1)
          assert results == list(range(n))
      """;

  private ScaleWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    int n = ctx.options.scaleJobs();
    Path trivial = ctx.workDir.resolve("trivial.py");
    Files.writeString(trivial, TRIVIAL_SOURCE, StandardCharsets.UTF_8);
    Path poolScript = ctx.workDir.resolve("scale_pool.py");
    Files.writeString(poolScript, POOL_SOURCE, StandardCharsets.UTF_8);
    Function f = ctx.track(Function.builder(ctx.spool, trivial + ":echo").memory("256Mi")
        .maximumConcurrency(ThroughputWorkload.CONCURRENCY).jobProcess(JobProcess.REUSED).build().save());
    ThroughputWorkload.runSpool(ctx, f, ThroughputWorkload.CONCURRENCY * 2);
    List<Double> spool = new ArrayList<>();
    List<Double> rate = new ArrayList<>();
    List<Double> pool = new ArrayList<>();
    List<double[]> perJob = new ArrayList<>();
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      ThroughputWorkload.Run run = ThroughputWorkload.runSpool(ctx, f, n);
      spool.add(run.seconds());
      rate.add(n / run.seconds());
      if (run.perJob() != null) {
        perJob.add(run.perJob());
      }
      pool.add(runPool(ctx, poolScript, n));
      ctx.progress("  scale %d/%d: Spool %.1f s (%.0f jobs/s), multiprocessing.Pool(2) %.1f s", r + 1,
          ctx.options.repetitions(), run.seconds(), n / run.seconds(), pool.get(r));
    }
    List<Measurement> rows = new ArrayList<>();
    rows.add(new Measurement("scale", n + " jobs of a trivial function, submit → every result read", "s", spool,
        "multiprocessing.Pool(2)", pool, Map.of()));
    rows.add(Measurement.alone("scale", "  jobs per second", "jobs/s", rate, Map.of()));
    if (perJob.size() == ctx.options.repetitions()) {
      rows.add(Measurement.alone("scale", "  HDFS files created per job", "files",
          perJob.stream().map(c -> c[0]).toList(), Map.of()));
      rows.add(Measurement.alone("scale", "  NameNode file operations per job", "calls",
          perJob.stream().map(c -> c[1]).toList(), Map.of()));
      rows.add(Measurement.alone("scale", "  ZooKeeper writes per job (a multi-op counts once)", "writes",
          perJob.stream().map(c -> c[2]).toList(), Map.of()));
    }
    return rows;
  }

  private static double runPool(BenchContext ctx, Path script, int n) throws Exception {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(ctx.python, script.toString(), ctx.workDir.toString(), Integer.toString(n))
        .redirectErrorStream(true).redirectOutput(ctx.workDir.resolve("scale_pool.log").toFile()).start();
    if (!process.waitFor(BenchContext.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("multiprocessing.Pool(2) did not do " + n + " trivial calls: "
          + Files.readString(ctx.workDir.resolve("scale_pool.log")));
    }
    return BenchContext.seconds(start);
  }
}
