package io.spool.local;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.ServerLinks;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spool demo}: starts the embedded cluster if it is not running, creates the function of
 * {@code examples/hello}, maps 20 jobs over it with progress, and prints their results and one job's log.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run examples/hello end to end on the embedded cluster (started if needed): 20 jobs, their "
        + "results and one log.")
final class Demo extends LocalCommands.LocalCommand {

  /** System property that {@code bin/spool} sets to the project's directory. */
  static final String HOME_PROPERTY = "spool.home";

  @Option(names = "--jobs", description = "how many jobs (default ${DEFAULT-VALUE})", defaultValue = "20")
  int jobs;
  @Option(names = "--timeout", description = "seconds to wait for the jobs (default ${DEFAULT-VALUE})",
      defaultValue = "600")
  long timeout;
  @Option(names = "--conf-file", description = "the embedded cluster's client configuration, if it has to be "
      + "started (default: ~/.spool/conf/spool-site.xml)")
  Path confFile;
  @Option(names = "--project-dir", description = "the Spool project whose examples/ to run (default: where bin/spool is)")
  Path projectDir;
  @Option(names = "--verbose", description = "print Hadoop's and the client's log lines here rather than to "
      + "demo.log in the data directory")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long begin = System.nanoTime();
    Path hello = examples().resolve("hello").resolve("hello.py");
    Path log = verbose ? null : HadoopLog.toFile(dataDir().resolve("demo.log"));
    try {
      return run(out, begin, hello);
    } finally {
      if (log != null) {
        out.println("Logs: " + new DaemonFiles(dataDir()).logFile() + " (the cluster's), " + log
            + " (this command's)");
        out.flush();
      }
    }
  }

  private int run(PrintWriter out, long begin, Path hello) throws Exception {
    LocalClusterStatus status = LocalClusterControl.status(dataDir());
    if (!status.running()) {
      out.println("Starting the embedded cluster (ZooKeeper, HDFS, YARN) in " + dataDir() + " ...");
      out.flush();
      status = LocalClusterControl.start(dataDir(),
          confFile != null ? confFile.toAbsolutePath() : LocalClusterControl.defaultConfFile(),
          LocalClusterControl.DEFAULT_START_TIMEOUT);
    }
    out.println(status.describe());
    Configuration conf = new Configuration();
    conf.addResource(new org.apache.hadoop.fs.Path(status.confFile().toUri()));
    String jar = System.getProperty(SpoolConfig.DIST_JAR);
    if (jar != null) {
      conf.set(SpoolConfig.DIST_JAR, jar);
    }
    try (Spool spool = Spool.connect(conf)) {
      long saveStart = System.nanoTime();
      Function function = Function.builder(spool, hello + ":hello").memory("256Mi").maximumConcurrency(4)
          .build().save();
      out.printf("Created function %s \"%s\" (%s)%n", function.id(), function.name(), function.status());
      List<List<Object>> args = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        args.add(List.of(i));
      }
      List<Job> submitted = function.map(args);
      out.printf("Submitted %d jobs: %s … %s%n", submitted.size(), submitted.get(0).id(),
          submitted.get(submitted.size() - 1).id());
      out.flush();
      long firstResult = waitAll(submitted, out, Duration.ofSeconds(timeout));
      long allDone = System.nanoTime();
      int failed = 0;
      for (Job job : submitted) {
        if (job.status() == JobStatus.SUCCESS) {
          out.printf("  %-16s %s%n", job.id(), job.result());
        } else {
          failed++;
          out.printf("  %-16s %s %s%n", job.id(), job.status(), job.errorReason());
        }
      }
      Job first = submitted.get(0);
      out.println("Log of job " + first.id() + ":");
      first.log().lines().forEach(line -> out.println("  | " + line));
      out.printf("save → first result: %.1f s; %d jobs: %.1f s; demo in all: %.1f s%n",
          (firstResult - saveStart) / 1e9, submitted.size(), (allDone - saveStart) / 1e9, (allDone - begin) / 1e9);
      if (status.serverUrl() != null) {
        out.println("See it in the browser: " + ServerLinks.functionPage(status.serverUrl(), function.id()));
      }
      return failed == 0 ? 0 : 1;
    }
  }

  /** Waits for every job, printing a progress line when the counts change; returns when the first one ended. */
  private static long waitAll(List<Job> jobs, PrintWriter out, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long firstEnded = 0;
    String last = "";
    while (true) {
      Map<JobStatus, Integer> counts = new EnumMap<>(JobStatus.class);
      int ended = 0;
      for (Job job : jobs) {
        JobStatus s = job.status().isTerminal() ? job.status() : job.refresh().status();
        counts.merge(s, 1, Integer::sum);
        if (s.isTerminal()) {
          ended++;
        }
      }
      if (ended > 0 && firstEnded == 0) {
        firstEnded = System.nanoTime();
      }
      String line = "  progress: " + counts;
      if (!line.equals(last)) {
        out.println(line);
        out.flush();
        last = line;
      }
      if (ended == jobs.size()) {
        return firstEnded;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the demo's jobs did not end within " + timeout.toSeconds() + " s: " + counts);
      }
      Thread.sleep(200);
    }
  }

  private Path examples() {
    String home = System.getProperty(HOME_PROPERTY);
    Path root = projectDir != null ? projectDir.toAbsolutePath()
        : home != null ? Paths.get(home) : Paths.get("").toAbsolutePath();
    Path examples = root.resolve("examples");
    if (!Files.isDirectory(examples.resolve("hello"))) {
      throw new IllegalArgumentException("cannot find examples/hello under " + root
          + ": run bin/spool demo of a Spool checkout, or give --project-dir");
    }
    return examples;
  }
}
