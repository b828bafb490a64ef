package io.spool.bench;

import io.spool.cli.CliExtension;
import io.spool.client.Spool;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Adds {@code spool bench} to the command line when the benchmarks module is on the classpath. */
public final class BenchCommands implements CliExtension {

  @Override
  public void register(CommandLine root, Supplier<Spool> connection) {
    root.addSubcommand("bench", new Bench());
  }
}
