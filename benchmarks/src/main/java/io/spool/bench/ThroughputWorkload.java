package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.JobResult;
import io.spool.core.model.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * N calls of the burn function: Spool (map, wait for every job, read every result) against the same calls through a
 * local {@code multiprocessing.Pool(2)}, the physical limit of a 2-core machine.
 */
final class ThroughputWorkload {

  /** Executors of the Spool function: one per core of the machine the budgets are written for. */
  static final int CONCURRENCY = 2;
  /** Numbers of map tasks that Hadoop Streaming is tried with (linesPerMap = calls / maps). */
  static final int[] STREAMING_MAPS = {1, 2, 4};

  private static final String POOL_SOURCE = """
      import multiprocessing
      import resource
      import sys

      sys.path.insert(0, sys.argv[1])
      from burn import burn

      if __name__ == "__main__":
          n = int(sys.argv[2])
          with multiprocessing.Pool(2) as pool:
              results = pool.map(burn, range(n))
          assert len(results) == n
          used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
          print("cpu-seconds %f" % sum(u.ru_utime + u.ru_stime for u in used))
      """;

  private ThroughputWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    int n = ctx.options.jobs();
    Path poolScript = ctx.workDir.resolve("pool.py");
    Files.writeString(poolScript, POOL_SOURCE, StandardCharsets.UTF_8);
    Function f = ctx.track(ctx.burnFunction(CONCURRENCY).build().save());
    runSpool(ctx, f, CONCURRENCY * 2);
    List<Double> spool = new ArrayList<>();
    List<Double> pool = new ArrayList<>();
    List<Double> spoolCpu = new ArrayList<>();
    List<Double> poolCpu = new ArrayList<>();
    Map<ProcessCpu.Role, List<Double>> spoolCpuByRole = new EnumMap<>(ProcessCpu.Role.class);
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      Run s = runSpool(ctx, f, n);
      Run p = runPool(ctx, poolScript, n);
      spool.add(s.seconds());
      pool.add(p.seconds());
      if (s.cpu() != null && p.cpu() != null) {
        spoolCpu.add(msPerCall(s.cpu().values().stream().mapToDouble(Double::doubleValue).sum(), n));
        poolCpu.add(msPerCall(p.cpu().values().stream().mapToDouble(Double::doubleValue).sum(), n));
        s.cpu().forEach((role, seconds) -> spoolCpuByRole.computeIfAbsent(role, k -> new ArrayList<>())
            .add(msPerCall(seconds, n)));
      }
      ctx.progress("  throughput %d/%d: Spool %.2f s, multiprocessing.Pool(2) %.2f s", r + 1,
          ctx.options.repetitions(), s.seconds(), p.seconds());
    }
    String metric = n + " calls of 5 ms, submit → all results read";
    List<Measurement> rows = new ArrayList<>();
    rows.add(new Measurement("throughput", metric, "s", spool, "multiprocessing.Pool(2)", pool, Map.of()));
    if (spoolCpu.size() == ctx.options.repetitions()) {
      rows.add(new Measurement("throughput", "CPU per call, all processes", "ms", spoolCpu,
          "multiprocessing.Pool(2)", poolCpu, Map.of()));
      spoolCpuByRole.forEach((role, ms) -> {
        if (ms.size() == ctx.options.repetitions() && ms.stream().anyMatch(v -> v > 0)) {
          rows.add(Measurement.alone("throughput", "  of which " + role.label, "ms", ms, Map.of()));
        }
      });
    } else {
      ctx.progress("  throughput: no CPU figures (this system's /proc cannot be read)");
    }
    return rows;
  }

  /** One timed run: wall-clock seconds, and CPU seconds by role (null where it could not be measured). */
  private record Run(double seconds, Map<ProcessCpu.Role, Double> cpu) {}

  private static double msPerCall(double cpuSeconds, int calls) {
    return cpuSeconds * 1000 / calls;
  }

  /**
   * The same calls as {@code spoolRow}'s through Hadoop Streaming, per repetition the fastest of a few linesPerMap
   * values (every one of them kept in the raw samples). Its MiniMRYarnCluster's ResourceManager resets a static that
   * the embedded cluster's ResourceManager shares, after which the embedded NodeManager refuses new containers as
   * "allocated by a previous RM": run it after every Spool workload.
   */
  static Measurement streaming(BenchContext ctx, Measurement spoolRow) throws Exception {
    String metric = spoolRow.metric();
    List<Double> spool = spoolRow.spool();
    int n = ctx.options.jobs();
    List<Integer> linesPerMap = new ArrayList<>();
    for (int divisor : STREAMING_MAPS) {
      int lines = Math.max(1, (n + divisor - 1) / divisor);
      if (!linesPerMap.contains(lines)) {
        linesPerMap.add(lines);
      }
    }
    List<Double> fastest = new ArrayList<>();
    Map<String, List<Double>> all = new LinkedHashMap<>();
    try (StreamingPeer peer = StreamingPeer.start(ctx)) {
      org.apache.hadoop.fs.Path input = peer.writeInput(n);
      for (int r = 0; r < ctx.options.repetitions(); r++) {
        double best = Double.MAX_VALUE;
        for (int lines : linesPerMap) {
          double seconds = peer.run(input, n, lines);
          all.computeIfAbsent("linesPerMap=" + lines, k -> new ArrayList<>()).add(seconds);
          best = Math.min(best, seconds);
          ctx.progress("  throughput %d/%d: Hadoop Streaming, %d lines per map: %.2f s", r + 1,
              ctx.options.repetitions(), lines, seconds);
        }
        fastest.add(best);
      }
    }
    return new Measurement("throughput", metric, "s", spool, "Hadoop Streaming (fastest linesPerMap)", fastest,
        Map.of("streamingSeconds", all));
  }

  /**
   * Maps {@code n} calls, waits for each, reads every result; returns the time it took and the CPU the machine's
   * processes of the benchmark spent meanwhile. Deletes the jobs.
   */
  private static Run runSpool(BenchContext ctx, Function f, int n) throws Exception {
    List<List<Object>> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      args.add(List.of(i));
    }
    Optional<ProcessCpu> cpuBefore = ProcessCpu.take();
    long start = System.nanoTime();
    List<Job> jobs = f.map(args);
    int failed = 0;
    for (Job job : f.asCompleted(jobs, BenchContext.TIMEOUT)) {
      if (job.status() != JobStatus.SUCCESS) {
        failed++;
      }
    }
    long read;
    try (Stream<JobResult<Object>> results = f.iterResults()) {
      read = results.count();
    }
    double seconds = BenchContext.seconds(start);
    Map<ProcessCpu.Role, Double> cpu = cpuBefore.flatMap(before -> ProcessCpu.take().map(after ->
        after.secondsSince(before))).orElse(null);
    f.deleteJobs(jobs, true);
    if (failed > 0 || read != n) {
      throw new IllegalStateException(failed + " of " + n + " throughput jobs failed; " + read + " results read");
    }
    return new Run(seconds, cpu);
  }

  /**
   * Runs the same calls through {@code multiprocessing.Pool(2)} in a new interpreter; returns the time it took and
   * the CPU the interpreter and its pool's processes spent, as it reports it.
   */
  private static Run runPool(BenchContext ctx, Path script, int n) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(ctx.python, script.toString(), ctx.workDir.toString(), Integer.toString(n))
        .redirectErrorStream(true)
        .redirectOutput(ctx.workDir.resolve("pool.log").toFile())
        .start();
    if (!process.waitFor(BenchContext.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("multiprocessing.Pool(2) did not finish " + n + " calls in "
          + BenchContext.TIMEOUT.toMinutes() + " min");
    }
    double seconds = BenchContext.seconds(start);
    if (process.exitValue() != 0) {
      throw new IllegalStateException("multiprocessing.Pool(2) exited with " + process.exitValue() + ": "
          + Files.readString(ctx.workDir.resolve("pool.log")));
    }
    Double cpu = Files.readAllLines(ctx.workDir.resolve("pool.log")).stream()
        .filter(line -> line.startsWith("cpu-seconds "))
        .map(line -> Double.valueOf(line.substring("cpu-seconds ".length()))).findFirst().orElse(null);
    return new Run(seconds, cpu == null ? null : Map.of(ProcessCpu.Role.PYTHON, cpu));
  }
}
