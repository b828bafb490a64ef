package io.spool.cli;

import io.spool.client.BuildFailedException;
import io.spool.client.Spool;
import java.io.PrintWriter;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the {@code spool} command line. Commands of optional modules join through {@link CliExtension}. */
@Command(name = "spool", mixinStandardHelpOptions = true, version = "spool 0.1.0",
    description = "Python batch compute on Hadoop YARN.",
    subcommands = {FunctionCommands.class, JobCommands.class, BlobCommands.class, AdminCommands.class},
    footer = {"", "Exit codes:", "  0  success", "  1  some jobs failed, timed out or were canceled",
        "  2  usage error (a bad option or input)", "  3  the function's build failed: its jobs will never run",
        "  4  timed out while waiting", "  5  any other error (e.g. an unknown id)",
        "  6  the cluster is unreachable (ZooKeeper, HDFS or YARN)",
        "", "Example:", "  spool job submit k3mz8q2hxa 1 2 3 --wait --timeout 600"})
public final class SpoolCli {

  /** Exit codes, for schedulers. */
  public static final int EXIT_OK = 0;
  public static final int EXIT_JOBS_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_BUILD_FAILED = 3;
  public static final int EXIT_TIMEOUT = 4;
  public static final int EXIT_ERROR = 5;
  public static final int EXIT_UNREACHABLE = 6;

  private SpoolCli() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), Spool::connect));
  }

  /** Runs a command line with the given output streams and connection; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Supplier<Spool> connection) {
    CommandLine cli = commandLine(connection);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine(Supplier<Spool> connection) {
    Supplier<Spool> connecting = () -> {
      try {
        return connection.get();
      } catch (RuntimeException e) {
        throw new UnreachableException(e);
      }
    };
    CommandLine cli = new CommandLine(new SpoolCli(), new Factory(connecting));
    for (CliExtension extension : ServiceLoader.load(CliExtension.class)) {
      extension.register(cli, connecting);
    }
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      command.getErr().println("spool: " + message(e));
      return exitCode(e);
    });
    return cli;
  }

  /** The exit code of a command that threw {@code e}. */
  static int exitCode(Throwable e) {
    if (e instanceof UnreachableException) {
      return EXIT_UNREACHABLE;
    }
    if (e instanceof BuildFailedException) {
      return EXIT_BUILD_FAILED;
    }
    return e instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_ERROR;
  }

  /** Connecting to the cluster failed: nothing was done. */
  static final class UnreachableException extends RuntimeException {
    UnreachableException(RuntimeException cause) {
      super((message(cause).startsWith("cannot connect") ? "" : "cannot connect to the cluster: ") + message(cause)
          + " (check the configuration in $SPOOL_CONF_DIR or ~/.spool/conf, or start the embedded cluster with "
          + "'spool local start')", cause);
    }
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Gives commands the shared connection supplier. */
  private record Factory(Supplier<Spool> connection) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (ConnectedCommand.class.isAssignableFrom(type)) {
        K command = CommandLine.defaultFactory().create(type);
        ((ConnectedCommand) command).connection = connection;
        return command;
      }
      return CommandLine.defaultFactory().create(type);
    }
  }
}
