package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every workload shares: the client, the cluster's configuration, the Python function and where to print. */
final class BenchContext {

  private static final Logger LOG = LoggerFactory.getLogger(BenchContext.class);

  /** Longest wait for any one thing a workload waits for (a build, a job, all jobs of a repetition). */
  static final Duration TIMEOUT = Duration.ofMinutes(10);
  /** CPU time each call of the benchmark function burns, seconds. */
  static final double BURN_SECONDS = 0.005;

  private static final String BURN_SOURCE = """
      \"\"\"The benchmark's function: burns about %s s of CPU and returns a small value.

      With hold, it first sleeps that many seconds: a job that keeps its executor busy.
      \"\"\"
      import time


      def burn(i, hold=0):
          time.sleep(hold)
          start = time.process_time()
          while time.process_time() - start < %s:
              pass
          return i * 2
      """;

  final Spool spool;
  final Configuration conf;
  final BenchOptions options;
  final PrintWriter out;
  final Path workDir;
  /** The cluster's client configuration files (spool-site.xml, yarn-site.xml), for commands in other JVMs. */
  final Path clientConfDir;
  final Path burnFile;
  final String python;
  private final List<Function> created = new ArrayList<>();

  BenchContext(Spool spool, Configuration conf, BenchOptions options, PrintWriter out, Path workDir,
      Path clientConfDir) throws IOException {
    this.spool = spool;
    this.conf = conf;
    this.options = options;
    this.out = out;
    this.workDir = workDir;
    this.clientConfDir = clientConfDir;
    Files.createDirectories(workDir);
    this.burnFile = writeBurnFile(workDir);
    String image = conf.get(SpoolConfig.IMAGE_DEFAULT);
    this.python = conf.get(SpoolConfig.IMAGE_PREFIX + image + SpoolConfig.IMAGE_INTERPRETER_SUFFIX, "python3");
  }

  /** Writes the benchmark's function to {@code dir/burn.py}; returns that file. */
  static Path writeBurnFile(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("burn.py");
    Files.writeString(file, String.format(BURN_SOURCE, BURN_SECONDS, BURN_SECONDS), StandardCharsets.UTF_8);
    return file;
  }

  /** A new, unsaved function of the benchmark's burn function, deleted by {@link #deleteFunctions()}. */
  Function.Builder burnFunction(int concurrency) {
    return Function.builder(spool, burnFile + ":burn").memory("256Mi").maximumConcurrency(concurrency);
  }

  /** Remembers {@code f} for {@link #deleteFunctions()}. */
  Function track(Function f) {
    created.add(f);
    return f;
  }

  /** Waits until {@code f}'s environment is built (READY or STOPPED); fails if its build failed. */
  static void awaitBuilt(Function f) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!f.refresh().status().isBuilt()) {
      if (f.status() == FunctionStatus.BUILD_FAILED) {
        throw new IllegalStateException("the build of function " + f.id() + " failed: " + f.statusReason());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("function " + f.id() + " was not built within " + TIMEOUT.toMinutes()
            + " min");
      }
      Thread.sleep(20);
    }
  }

  /**
   * Deletes the functions that the workloads created, with their results, so that their masters exit. (delete()
   * stops a READY function itself; stop() of one that is already STOPPED would throw and skip its delete.)
   */
  void deleteFunctions() {
    for (Function f : created) {
      try {
        f.delete(true);
      } catch (RuntimeException e) {
        LOG.warn("could not delete benchmark function {}: {}", f.id(), e.getMessage());
      }
    }
    created.clear();
  }

  void progress(String format, Object... args) {
    out.printf(format + "%n", args);
    out.flush();
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
