package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.JobResult;
import io.spool.core.model.JobProcess;
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
    List<Double> forks = new ArrayList<>();
    Map<JobProcess, Function> functions = new LinkedHashMap<>(); // reused first: Hadoop Streaming's row pairs with it
    for (JobProcess mode : List.of(JobProcess.REUSED, JobProcess.FRESH)) {
      Function f = ctx.track(ctx.burnFunction(CONCURRENCY).jobProcess(mode).build().save());
      // one run of the same calls first, not measured: the function's JVMs and this one (the embedded cluster's
      // servers, started seconds ago) compile their hot paths, which a cluster's long-running ones have done
      runSpool(ctx, f, n);
      functions.put(mode, f);
    }
    Map<JobProcess, Runs> spool = new LinkedHashMap<>();
    Runs pool = new Runs();
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      forks.add(forkMillis(ctx));
      for (JobProcess mode : functions.keySet()) {
        spool.computeIfAbsent(mode, m -> new Runs()).add(runSpool(ctx, functions.get(mode), n), n);
      }
      pool.add(runPool(ctx, poolScript, n), n);
      ctx.progress("  throughput %d/%d: Spool reused %.2f s, fresh %.2f s, multiprocessing.Pool(2) %.2f s; "
          + "a fork of %s costs %.2f ms of CPU", r + 1, ctx.options.repetitions(),
          last(spool.get(JobProcess.REUSED).seconds), last(spool.get(JobProcess.FRESH).seconds), last(pool.seconds),
          ctx.python, last(forks));
    }
    List<Measurement> rows = new ArrayList<>();
    for (JobProcess mode : functions.keySet()) {
      Runs runs = spool.get(mode);
      String process = " (job process " + mode.wire() + ")";
      rows.add(new Measurement("throughput", n + " calls of 5 ms, submit → all results read" + process, "s",
          runs.seconds, "multiprocessing.Pool(2)", pool.seconds, Map.of()));
      if (runs.hasCpu(ctx) && pool.hasCpu(ctx)) {
        rows.add(new Measurement("throughput", "CPU per call, all processes" + process, "ms", runs.cpuMs,
            "multiprocessing.Pool(2)", pool.cpuMs, Map.of()));
        runs.byRole.forEach((role, ms) -> {
          if (ms.size() == ctx.options.repetitions() && ms.stream().anyMatch(v -> v > 0)) {
            rows.add(Measurement.alone("throughput", "  of which " + role.label, "ms", ms, Map.of()));
          }
        });
        if (mode == JobProcess.FRESH) {
          List<Double> over = new ArrayList<>();
          for (int r = 0; r < runs.cpuMs.size(); r++) {
            over.add(runs.cpuMs.get(r) - pool.cpuMs.get(r) - forks.get(r));
          }
          rows.add(Measurement.alone("throughput", "  beyond the pool's CPU and one fork per call", "ms", over,
              Map.of()));
        }
      }
      if (runs.counters.size() == ctx.options.repetitions()) {
        rows.add(Measurement.alone("throughput", "  HDFS files created per job", "files", column(runs.counters, 0),
            Map.of()));
        rows.add(Measurement.alone("throughput", "  NameNode file operations per job", "calls", column(runs.counters, 1),
            Map.of()));
        rows.add(Measurement.alone("throughput", "  ZooKeeper writes per job (a multi-op counts once)", "writes",
            column(runs.counters, 2), Map.of()));
      }
    }
    rows.add(Measurement.alone("host", "bare fork + exit + wait of the worker's Python, CPU per fork", "ms", forks,
        Map.of()));
    return rows;
  }

  /** The repetitions of one side: seconds, CPU per call, CPU per call by role, cluster counters per job. */
  private static final class Runs {
    final List<Double> seconds = new ArrayList<>();
    final List<Double> cpuMs = new ArrayList<>();
    final Map<ProcessCpu.Role, List<Double>> byRole = new EnumMap<>(ProcessCpu.Role.class);
    final List<double[]> counters = new ArrayList<>();

    void add(Run run, int n) {
      seconds.add(run.seconds());
      if (run.cpu() != null) {
        cpuMs.add(msPerCall(run.cpu().values().stream().mapToDouble(Double::doubleValue).sum(), n));
        run.cpu().forEach((role, s) -> byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(msPerCall(s, n)));
      }
      if (run.perJob() != null) {
        counters.add(run.perJob());
      }
    }

    boolean hasCpu(BenchContext ctx) {
      if (cpuMs.size() != ctx.options.repetitions()) {
        ctx.progress("  throughput: no CPU figures (this system's /proc cannot be read)");
        return false;
      }
      return true;
    }
  }

  private static double last(List<Double> values) {
    return values.get(values.size() - 1);
  }

  private static List<Double> column(List<double[]> rows, int i) {
    return rows.stream().map(r -> r[i]).toList();
  }

  private static final String FORK_SOURCE = """
      import os
      import resource
      import sys

      n = int(sys.argv[1])
      before = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
      for _ in range(n):
          pid = os.fork()
          if pid == 0:
              os._exit(0)
          os.waitpid(pid, 0)
      after = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
      used = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
      print("%f" % (used * 1000 / n))
      """;

  /** CPU milliseconds of one bare fork, exit and wait of the worker's Python on this host, measured now. */
  private static double forkMillis(BenchContext ctx) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(ctx.python, "-c", FORK_SOURCE, "500").redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("measuring the cost of a fork of " + ctx.python + " failed: " + out);
    }
    return Double.parseDouble(out);
  }

  /**
   * One timed run: wall-clock seconds, CPU seconds by role, and HDFS files created, NameNode calls and ZooKeeper
   * writes per job (each null where it could not be measured).
   */
  record Run(double seconds, Map<ProcessCpu.Role, Double> cpu, double[] perJob) {}

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
   * Maps {@code n} calls, waits for each, reads every result; returns the time it took, the CPU the machine's
   * processes of the benchmark spent meanwhile and what the cluster did per job. Deletes the jobs.
   */
  static Run runSpool(BenchContext ctx, Function f, int n) throws Exception {
    List<List<Object>> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      args.add(List.of(i));
    }
    Optional<ClusterCounters> countersBefore = ClusterCounters.take(ctx.conf);
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
    Optional<ClusterCounters> countersAfter = ClusterCounters.take(ctx.conf);
    double[] perJob = countersBefore.isPresent() && countersAfter.isPresent()
        ? countersAfter.get().perJobSince(countersBefore.get(), n) : null;
    f.deleteJobs(jobs, true);
    if (failed > 0 || read != n) {
      throw new IllegalStateException(failed + " of " + n + " throughput jobs failed; " + read + " results read");
    }
    return new Run(seconds, cpu, perJob);
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
    return new Run(seconds, cpu == null ? null : Map.of(ProcessCpu.Role.PYTHON, cpu), null);
  }
}
