package io.spool.cli;

import io.spool.client.Spool;
import java.io.PrintWriter;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the {@code spool} command line. Commands of optional modules join through {@link CliExtension}. */
@Command(name = "spool", mixinStandardHelpOptions = true, version = "spool 0.1.0",
    description = "Python batch compute on Hadoop YARN.",
    subcommands = {FunctionCommands.class, JobCommands.class, AdminCommands.class})
public final class SpoolCli {

  /** Exit codes, for schedulers. */
  public static final int EXIT_OK = 0;
  public static final int EXIT_JOBS_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_TIMEOUT = 4;
  public static final int EXIT_ERROR = 5;

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
    CommandLine cli = new CommandLine(new SpoolCli(), new Factory(connection));
    for (CliExtension extension : ServiceLoader.load(CliExtension.class)) {
      extension.register(cli, connection);
    }
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      command.getErr().println("spool: " + message(e));
      return e instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_ERROR;
    });
    return cli;
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
