package io.spool.bench;

import io.spool.bench.BenchOptions.Workload;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.local.EmbeddedCluster;
import io.spool.local.HadoopLog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spool bench}: starts one embedded cluster in this JVM and measures Spool against its peers on it, each
 * workload side by side; prints a table and writes it, the raw samples (JSON) and a plot under {@code --out}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure Spool against its peers (multiprocessing.Pool(2), Hadoop Streaming, DistributedShell) on a fresh embedded "
        + "cluster in this JVM; print a table and write it, the raw samples (JSON) and a bar chart (PNG).")
public final class Bench implements Callable<Integer> {

  /** System property naming the distribution jar that masters and executors run from (set by bin/spool). */
  static final String DIST_JAR_PROPERTY = "spool.dist.jar";
  /** How long the benchmark's masters keep an idle executor: longer than any gap between runs of one function. */
  static final long WARM_EXECUTORS_IDLE_RELEASE_MS = 120_000;
  /** System property that bin/spool sets to the project's directory; a relative --out is resolved against it. */
  static final String HOME_PROPERTY = "spool.home";

  @Option(names = "--jobs", defaultValue = "2000", description = "calls in the throughput workload "
      + "(default ${DEFAULT-VALUE})")
  int jobs;
  @Option(names = "--latency-jobs", defaultValue = "200", description = "sequential jobs per repetition of the "
      + "latency workload (default ${DEFAULT-VALUE})")
  int latencyJobs;
  @Option(names = "--map-jobs", defaultValue = "100000", description = "jobs mapped in the submission workload "
      + "(default ${DEFAULT-VALUE})")
  int mapJobs;
  @Option(names = "--scale-jobs", defaultValue = "100000", description = "jobs of a trivial function in the scale "
      + "workload (default ${DEFAULT-VALUE})")
  int scaleJobs;
  @Option(names = "--cli-runs", defaultValue = "10", description = "fresh runs of each command per repetition of the "
      + "cli workload (default ${DEFAULT-VALUE})")
  int cliRuns;
  @Option(names = "--repetitions", defaultValue = "3", description = "measurements of each workload "
      + "(default ${DEFAULT-VALUE})")
  int repetitions;
  @Option(names = "--workloads", split = ",", description = "which of throughput, latency, scale, cold, submission, "
      + "build, rest, python, cli, fault (default all)")
  List<String> workloads;
  @Option(names = "--small", description = "tiny sizes for CI: 20 jobs, 10 latency jobs, 1000 map jobs, "
      + "1000 scale jobs, 3 runs of each command, 1 repetition, no Hadoop Streaming")
  boolean small;
  @Option(names = "--skip-streaming", description = "leave Hadoop Streaming (a second, MapReduce-capable YARN in "
      + "this JVM) out of the throughput workload")
  boolean skipStreaming;
  @Option(names = "--out", defaultValue = "benchmarks/target/bench", description = "where the table, JSON and plot "
      + "go (default ${DEFAULT-VALUE})")
  Path out;
  @Option(names = "--data-dir", description = "the embedded cluster's data directory (default: a new directory "
      + "under --out, deleted afterwards)")
  Path dataDir;
  @Option(names = "--verbose", description = "print Hadoop's log lines here rather than to hadoop.log under --out")
  boolean verbose;
  @Spec
  CommandLine.Model.CommandSpec spec;

  /** Where Hadoop's log lines go, under --out, unless --verbose. */
  static final String LOG_FILE = "hadoop.log";

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  BenchOptions options() {
    Set<Workload> chosen = EnumSet.noneOf(Workload.class);
    if (workloads == null || workloads.isEmpty()) {
      chosen = EnumSet.allOf(Workload.class);
    } else {
      for (String w : workloads) {
        try {
          chosen.add(Workload.valueOf(w.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), "unknown workload '" + w
              + "': choose from throughput, latency, scale, cold, submission, build, rest, python, cli, fault");
        }
      }
    }
    String home = System.getProperty(HOME_PROPERTY);
    Path dir = (home != null && !out.isAbsolute() ? Paths.get(home).resolve(out) : out.toAbsolutePath()).normalize();
    return small ? new BenchOptions(20, 10, 1000, 1000, 3, 1, chosen, false, dir)
        : new BenchOptions(jobs, latencyJobs, mapJobs, scaleJobs, cliRuns, repetitions, chosen, !skipStreaming, dir);
  }

  /** The cluster's client configuration as the command lines read it: spool-site.xml, and yarn-site.xml for Hadoop's. */
  private static Path clientConfDir(EmbeddedCluster cluster, Path dir) throws java.io.IOException {
    Path site = cluster.writeClientConfiguration(dir.resolve(SpoolConfig.SITE_FILE));
    Files.copy(site, dir.resolve("yarn-site.xml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return dir;
  }

  @Override
  public Integer call() throws Exception {
    BenchOptions options = options();
    PrintWriter console = spec.commandLine().getOut();
    Path clusterDir = dataDir != null ? dataDir.toAbsolutePath() : options.out().resolve("cluster");
    Path log = verbose ? null : HadoopLog.toFile(options.out().resolve(LOG_FILE));
    console.printf("Starting the embedded cluster in %s ...%n", clusterDir);
    console.flush();
    List<Measurement> rows = new ArrayList<>();
    try (EmbeddedCluster cluster = EmbeddedCluster.start(clusterDir)) {
      Configuration conf = cluster.clientConfiguration();
      String jar = System.getProperty(DIST_JAR_PROPERTY, "").trim();
      if (!jar.isEmpty()) {
        conf.set(SpoolConfig.DIST_JAR, Paths.get(jar).toAbsolutePath().normalize().toString());
      }
      // the throughput rows measure warm executors: each function sits idle while the other job process and the
      // pool run (25-35 s), longer than the default idle release; the cold row measures executors that start
      conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, WARM_EXECUTORS_IDLE_RELEASE_MS);
      try (Spool spool = Spool.connect(conf)) {
        Path work = options.out().resolve("work");
        BenchContext ctx = new BenchContext(spool, conf, options, console, work,
            clientConfDir(cluster, work.resolve("conf")));
        for (Workload w : Workload.values()) {
          if (!options.workloads().contains(w) || w == Workload.FAULT) {
            continue;
          }
          console.printf("%s ...%n", w.name().toLowerCase(Locale.ROOT));
          console.flush();
          try {
            rows.addAll(switch (w) {
              case THROUGHPUT -> ThroughputWorkload.run(ctx);
              case LATENCY -> LatencyWorkload.run(ctx);
              case SCALE -> ScaleWorkload.run(ctx);
              case COLD -> ColdStartWorkload.run(ctx);
              case SUBMISSION -> SubmissionWorkload.run(ctx);
              case BUILD -> BuildWorkload.run(ctx);
              case REST -> RestWorkload.run(ctx);
              case PYTHON -> PythonClientWorkload.run(ctx);
              case CLI -> CliWorkload.run(ctx);
              case FAULT -> List.<Measurement>of();
            });
          } finally {
            ctx.deleteFunctions();
          }
        }
        if (options.workloads().contains(Workload.THROUGHPUT) && options.streaming()) {
          console.printf("throughput: Hadoop Streaming (last: its cluster leaves the embedded YARN unusable) ...%n");
          console.flush();
          Measurement spoolRow = rows.stream().filter(m -> "throughput".equals(m.workload())).findFirst()
              .orElseThrow();
          rows.add(rows.indexOf(spoolRow) + 1, ThroughputWorkload.streaming(ctx, spoolRow));
        }
      }
    } finally {
      if (dataDir == null) {
        org.apache.hadoop.fs.FileUtil.fullyDelete(clusterDir.toFile());
      }
    }
    if (options.workloads().contains(Workload.FAULT)) {
      // it stops and starts a cluster of its own, after the shared one is gone (two would share two cores)
      console.printf("fault (a cluster of its own, stopped mid-run and started again) ...%n");
      console.flush();
      rows.add(FaultWorkload.run(options, console, System.getProperty(DIST_JAR_PROPERTY, "").trim()));
    }
    console.println();
    console.print(Report.table(rows));
    List<Path> files = Report.write(options.out(), options, rows);
    console.printf("%nWrote %s%n", String.join(", ", files.stream().map(Path::toString).toList()));
    if (log != null) {
      console.printf("Hadoop's log: %s%n", log);
    }
    console.flush();
    return Files.exists(files.get(2)) ? 0 : 1;
  }
}
