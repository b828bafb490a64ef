package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.JobResult;
import io.spool.server.SpoolServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The throughput workload's N calls submitted and read from Python, through the Python client ({@code python/},
 * put on the script's path) and a Spool server in this JVM, against the Java client in the same repetition: the
 * same function with its two warm executors, {@code map}, wait for each job as it ends, read every result. The jobs
 * are deleted between runs, untimed.
 */
final class PythonClientWorkload {

  private static final String SCRIPT = """
      import sys
      import time

      from spool_client import Function, configure

      configure(url=sys.argv[1], user=sys.argv[2])
      f = Function.get(sys.argv[3])
      n = int(sys.argv[4])
      start = time.monotonic()
      jobs = f.map([[i] for i in range(n)])
      for _ in f.as_completed(jobs, timeout=600, progress=False):
          pass
      results = list(f.iter_results())
      seconds = time.monotonic() - start
      if sorted(results) != [2 * i for i in range(n)]:
          sys.exit("wrong results: %d of %d" % (len(results), n))
      print("seconds %f" % seconds)
      """;

  private PythonClientWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    int n = ctx.options.jobs();
    Path script = ctx.workDir.resolve("python_client.py");
    Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
    Path clientPackage = clientPackage();
    Function f = ctx.track(ctx.burnFunction(ThroughputWorkload.CONCURRENCY).build().save());
    List<Double> python = new ArrayList<>();
    List<Double> java = new ArrayList<>();
    try (SpoolServer server = SpoolServer.start(ctx.conf, new InetSocketAddress("127.0.0.1", 0))) {
      runJava(f, ThroughputWorkload.CONCURRENCY * 2);
      f.deleteJobs(f.jobs(), true);
      for (int r = 0; r < ctx.options.repetitions(); r++) {
        java.add(runJava(f, n));
        f.deleteJobs(f.jobs(), true);
        python.add(runPython(ctx, script, clientPackage, server, f, n));
        f.deleteJobs(f.jobs(), true);
        ctx.progress("  python %d/%d: Python client %.2f s, Java client %.2f s", r + 1, ctx.options.repetitions(),
            python.get(r), java.get(r));
      }
    }
    return List.of(new Measurement("python", n + " calls of 5 ms from Python, submit → all results read", "s",
        python, "Java client", java, Map.of()));
  }

  private static double runJava(Function f, int n) {
    List<List<?>> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      args.add(List.of(i));
    }
    long start = System.nanoTime();
    List<Job> jobs = f.map(args);
    for (Job ignored : f.asCompleted(jobs, BenchContext.TIMEOUT)) {
      // each job once, in the order they end
    }
    long read;
    try (Stream<JobResult<Object>> results = f.iterResults()) {
      read = results.count();
    }
    double seconds = BenchContext.seconds(start);
    if (read != n) {
      throw new IllegalStateException("read " + read + " results of " + n);
    }
    return seconds;
  }

  private static double runPython(BenchContext ctx, Path script, Path clientPackage, SpoolServer server, Function f,
      int n) throws IOException, InterruptedException {
    ProcessBuilder command = new ProcessBuilder(ctx.python, script.toString(), server.uri().toString(),
        ctx.spool.user(), f.id(), Integer.toString(n)).redirectErrorStream(true);
    command.environment().put("PYTHONPATH", clientPackage.toString());
    Process p = command.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(BenchContext.TIMEOUT.toMinutes(), TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("the Python client's run failed:\n" + out);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("seconds ")) {
        return Double.parseDouble(line.substring("seconds ".length()).trim());
      }
    }
    throw new IllegalStateException("the Python client's run printed no time:\n" + out);
  }

  /** The project's {@code python/} directory (the client package is pure Python: its path is enough). */
  private static Path clientPackage() {
    String home = System.getProperty(Bench.HOME_PROPERTY);
    for (Path candidate : new Path[] {home == null ? null : Paths.get(home, "python"), Paths.get("..", "python"),
        Paths.get("python")}) {
      if (candidate != null && Files.isDirectory(candidate.resolve("spool_client"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("the Python client (python/spool_client) is not found: run the benchmark from "
        + "the project with bin/spool bench");
  }
}
