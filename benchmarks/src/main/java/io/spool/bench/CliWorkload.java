package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command line's answer time: each common command run by {@code bin/spool} in a fresh JVM, as a person or a
 * script runs it, against Hadoop's own command line on the same cluster in a fresh JVM ({@code yarn application
 * -list}, i.e. {@code ApplicationCLI}, on the same classpath with the cluster's yarn-site.xml). Each repetition
 * takes the median wall time of a number of runs of each command; the first run of each, which may make bin/spool's
 * class archive, is not counted.
 */
final class CliWorkload {

  private static final String HADOOP_CLI = "org.apache.hadoop.yarn.client.cli.ApplicationCLI";

  private CliWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    Path spoolCommand = spoolCommand();
    Path confDir = ctx.clientConfDir;
    Function f = ctx.track(ctx.burnFunction(1).build().save());
    Job job = f.call(1);
    if (job.waitForCompletion(BenchContext.TIMEOUT) != JobStatus.SUCCESS) {
      throw new IllegalStateException("the cli workload's job " + job.id() + " ended " + job.status());
    }
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put("function list", List.of("function", "list"));
    commands.put("function get", List.of("function", "get", f.id()));
    commands.put("job get", List.of("job", "get", job.id()));
    commands.put("job result", List.of("job", "result", job.id()));
    commands.put("job submit (one job)", List.of("job", "submit", f.id(), "2"));
    List<String> hadoop = hadoopCommand(confDir);

    int runs = ctx.options.cliRuns();
    Map<String, List<Double>> spool = new LinkedHashMap<>();
    commands.keySet().forEach(name -> spool.put(name, new ArrayList<>()));
    List<Double> peer = new ArrayList<>();
    for (Map.Entry<String, List<String>> c : commands.entrySet()) {
      time(spoolCommand(spoolCommand, c.getValue()), confDir);
    }
    time(hadoop, confDir);
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      for (Map.Entry<String, List<String>> c : commands.entrySet()) {
        spool.get(c.getKey()).add(median(runs, () -> time(spoolCommand(spoolCommand, c.getValue()), confDir)));
      }
      peer.add(median(runs, () -> time(hadoop, confDir)));
      StringBuilder line = new StringBuilder(String.format("  cli %d/%d:", r + 1, ctx.options.repetitions()));
      for (Map.Entry<String, List<Double>> s : spool.entrySet()) {
        line.append(String.format(" %s %.2f s,", s.getKey(), s.getValue().get(r)));
      }
      ctx.progress("%s yarn application -list %.2f s (p50 of %d runs each)", line, peer.get(r), runs);
    }
    List<Measurement> rows = new ArrayList<>();
    for (Map.Entry<String, List<Double>> s : spool.entrySet()) {
      rows.add(new Measurement("cli", "spool " + s.getKey() + ", wall time p50 of " + runs + " fresh runs", "s",
          s.getValue(), "yarn application -list", peer, Map.of("runs", runs)));
    }
    return rows;
  }

  private interface Timed {
    double run() throws IOException, InterruptedException;
  }

  private static double median(int runs, Timed timed) throws IOException, InterruptedException {
    List<Double> seconds = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      seconds.add(timed.run());
    }
    Collections.sort(seconds);
    int mid = runs / 2;
    return runs % 2 == 1 ? seconds.get(mid) : (seconds.get(mid - 1) + seconds.get(mid)) / 2;
  }

  /** Runs a command to its end and returns its wall time; it must succeed. */
  private static double time(List<String> command, Path confDir) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put(SpoolConfig.CONF_DIR_ENV, confDir.toString());
    builder.environment().put("HADOOP_CONF_DIR", confDir.toString());
    long start = System.nanoTime();
    Process p = builder.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n"
          + new String(out, StandardCharsets.UTF_8));
    }
    return BenchContext.seconds(start);
  }

  private static List<String> spoolCommand(Path spoolCommand, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(spoolCommand.toString());
    command.addAll(args);
    return command;
  }

  /** Hadoop's {@code yarn application -list}: its CLI class in a fresh JVM, the cluster's configuration first. */
  private static List<String> hadoopCommand(Path confDir) {
    return List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        confDir + java.io.File.pathSeparator + System.getProperty("java.class.path"), HADOOP_CLI, "-list");
  }

  /** The project's {@code bin/spool}. */
  private static Path spoolCommand() {
    String home = System.getProperty(Bench.HOME_PROPERTY);
    for (Path candidate : new Path[] {home == null ? null : Paths.get(home, "bin", "spool"),
        Paths.get("..", "bin", "spool"), Paths.get("bin", "spool")}) {
      if (candidate != null && Files.isExecutable(candidate)) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("bin/spool is not found: run the benchmark from the project with bin/spool bench");
  }
}
