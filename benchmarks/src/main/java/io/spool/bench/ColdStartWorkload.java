package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.model.JobStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.applications.distributedshell.Client;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * A new function with no requirements, save → first result, against Hadoop's DistributedShell running one
 * {@code python3 -c pass} container on the same YARN (submit → finished).
 */
final class ColdStartWorkload {

  /** Longest run of DistributedShell before its client kills it. */
  static final Duration DISTRIBUTED_SHELL_TIMEOUT = Duration.ofMinutes(3);

  private ColdStartWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    List<Double> spool = new ArrayList<>();
    List<Double> dshell = new ArrayList<>();
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      double s = spoolColdStart(ctx);
      double d = distributedShell(ctx, r);
      spool.add(s);
      dshell.add(d);
      ctx.progress("  cold %d/%d: Spool %.2f s, DistributedShell %.2f s", r + 1, ctx.options.repetitions(), s, d);
    }
    return List.of(new Measurement("cold", "new function, save → first result", "s", spool,
        "DistributedShell (1 python3 container)", dshell, Map.of()));
  }

  private static double spoolColdStart(BenchContext ctx) throws Exception {
    long start = System.nanoTime();
    Function f = ctx.track(ctx.burnFunction(1).build().save());
    Job job = f.call(1);
    JobStatus status = job.waitForCompletion(BenchContext.TIMEOUT);
    Object result = job.result();
    double seconds = BenchContext.seconds(start);
    if (status != JobStatus.SUCCESS || result == null) {
      throw new IllegalStateException("cold-start job " + job.id() + " ended " + status + ": " + job.errorReason());
    }
    ctx.deleteFunctions();
    return seconds;
  }

  /**
   * Runs DistributedShell's client in this JVM and returns the seconds from its submission until it saw the
   * application finish. Its client polls the ResourceManager once a second, so this is up to 1 s late.
   */
  private static double distributedShell(BenchContext ctx, int repetition) throws Exception {
    String jar = Client.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    Client client = new Client(distributedShellConf(ctx));
    String[] args = {
        "--jar", jar,
        "--appname", "bench-dshell-" + repetition,
        "--shell_command", ctx.python + " -c pass",
        "--num_containers", "1",
        "--master_memory", "256",
        "--container_memory", "128",
        "--timeout", Long.toString(DISTRIBUTED_SHELL_TIMEOUT.toMillis()),
    };
    if (!client.init(args)) {
      throw new IllegalStateException("DistributedShell refused its arguments");
    }
    long start = System.nanoTime();
    boolean ok = client.run();
    double seconds = BenchContext.seconds(start);
    if (!ok) {
      throw new IllegalStateException("DistributedShell's python3 container did not succeed");
    }
    return seconds;
  }

  /**
   * The client configuration with a directory holding it as {@code yarn-site.xml} first on the containers'
   * classpath: DistributedShell's master reads the ResourceManager's scheduler address from its classpath.
   */
  private static Configuration distributedShellConf(BenchContext ctx) throws IOException {
    Path dir = ctx.workDir.resolve("dshell-conf");
    Files.createDirectories(dir);
    try (OutputStream out = Files.newOutputStream(dir.resolve("yarn-site.xml"))) {
      ctx.conf.writeXml(out);
    }
    Configuration conf = new Configuration(ctx.conf);
    conf.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH,
        dir + "," + ctx.conf.get(YarnConfiguration.YARN_APPLICATION_CLASSPATH, ""));
    return conf;
  }
}
