package io.spool.cli;

import io.spool.client.Spool;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Adds commands to {@code spool} from another module (found with {@link java.util.ServiceLoader}). */
public interface CliExtension {
  void register(CommandLine root, Supplier<Spool> connection);
}
