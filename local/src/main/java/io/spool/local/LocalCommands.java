package io.spool.local;

import io.spool.cli.CliExtension;
import io.spool.cli.SpoolCli;
import io.spool.client.Spool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Adds {@code spool local start|stop|status} and {@code spool demo} to the command line. */
public final class LocalCommands implements CliExtension {

  @Override
  public void register(CommandLine root, Supplier<Spool> connection) {
    CommandLine local = new CommandLine(new Local());
    local.addSubcommand(new Start());
    local.addSubcommand(new Stop());
    local.addSubcommand(new Status());
    root.addSubcommand("local", local);
    root.addSubcommand("demo", new Demo());
  }

  /** What the {@code local} commands share: the data directory option and where to print. */
  abstract static class LocalCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "where the embedded cluster keeps its data (default: ~/.spool/local)")
    Path dataDir;
    @Spec
    CommandLine.Model.CommandSpec spec;

    Path dataDir() {
      return dataDir != null ? dataDir.toAbsolutePath() : LocalClusterControl.defaultDataDir();
    }

    void print(String text) {
      spec.commandLine().getOut().println(text);
    }
  }

  @Command(name = "local", mixinStandardHelpOptions = true,
      description = "The embedded single-machine cluster: ZooKeeper, HDFS and YARN in one background JVM.")
  static final class Local implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start the embedded cluster in the background (or report the running one) and write the client "
          + "configuration that every other command picks up.")
  static final class Start extends LocalCommand {
    @Option(names = "--conf-file", description = "where to write the client configuration "
        + "(default: ~/.spool/conf/spool-site.xml)")
    Path confFile;
    @Option(names = "--verbose", description = "print the log lines the cluster wrote while it started (they go to "
        + "its log file either way)")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
      Path conf = confFile != null ? confFile.toAbsolutePath() : LocalClusterControl.defaultConfFile();
      Path log = new DaemonFiles(dataDir()).logFile();
      long before = Files.exists(log) ? Files.size(log) : 0;
      LocalClusterStatus status = LocalClusterControl.start(dataDir(), conf, LocalClusterControl.DEFAULT_START_TIMEOUT);
      if (verbose && Files.exists(log)) {
        try (java.io.InputStream in = Files.newInputStream(log)) {
          in.skipNBytes(Math.min(before, Files.size(log)));
          print(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).stripTrailing());
        }
      }
      print(status.describe());
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop the embedded cluster; its functions, jobs and results are kept for the next start.")
  static final class Stop extends LocalCommand {
    @Override
    public Integer call() throws Exception {
      print(LocalClusterControl.stop(dataDir(), LocalClusterControl.DEFAULT_STOP_TIMEOUT).describe());
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Say whether the embedded cluster runs, and where. Exit 0 if it runs, 6 (cluster unreachable) "
          + "if not.",
      footer = {"", "Examples:", "  spool local status", "  spool local status --json"})
  static final class Status extends LocalCommand {
    @Option(names = "--json", description = "print one JSON object: running, pid, dataDir, confFile, zookeeperQuorum, "
        + "defaultFs, resourceManagerAddress, serverUrl, supervisor (state, leader, functionsSupervised, restarts, "
        + "stopped)")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LocalClusterStatus status = LocalClusterControl.status(dataDir());
      if (json) {
        com.fasterxml.jackson.databind.node.ObjectNode node = io.spool.core.json.Json.values().createObjectNode();
        node.put("running", status.running()).put("pid", status.pid()).put("dataDir", status.dataDir().toString())
            .put("confFile", status.confFile() == null ? null : status.confFile().toString())
            .put("zookeeperQuorum", status.zookeeperQuorum()).put("defaultFs", status.defaultFs())
            .put("resourceManagerAddress", status.resourceManagerAddress()).put("serverUrl", status.serverUrl());
        node.set("supervisor", status.supervisor());
        print(io.spool.core.json.Json.values().writeValueAsString(node));
      } else {
        print(status.describe());
      }
      return status.running() ? SpoolCli.EXIT_OK : SpoolCli.EXIT_UNREACHABLE;
    }
  }
}
