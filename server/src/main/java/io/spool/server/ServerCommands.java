package io.spool.server;

import io.spool.cli.CliExtension;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Adds {@code spool server} to the command line: the REST API and UI as a standalone daemon. */
public final class ServerCommands implements CliExtension {

  @Override
  public void register(CommandLine root, Supplier<Spool> connection) {
    root.addSubcommand("server", new Serve());
  }

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "Run the Spool server (REST API at /api/v1/, web UI at /ui/) with the cluster's configuration, "
          + "until stopped (SIGTERM or Ctrl-C).",
      footer = {"", "Examples:", "  spool server --address 0.0.0.0:8770",
          "  HADOOP_CONF_DIR=/etc/hadoop/conf yarn jar spool.jar server"})
  static final class Serve implements Callable<Integer> {
    @Option(names = "--address", description = "host:port to listen on (default: spool.server.address, "
        + SpoolConfig.SERVER_ADDRESS_DEFAULT + ")")
    String address;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Configuration conf = SpoolConfig.load();
      if (address != null) {
        conf.set(SpoolConfig.SERVER_ADDRESS, address);
      }
      SpoolServer server = SpoolServer.start(conf);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "spool-server-stop"));
      spec.commandLine().getOut().println("Spool server: " + server.uri() + "ui/  (API: " + server.uri()
          + "api/v1/, OpenAPI: " + server.uri() + "api/v1/openapi.json)");
      spec.commandLine().getOut().flush();
      stopped.await();
      return 0;
    }
  }
}
