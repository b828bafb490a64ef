package io.spool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Spool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@code spool admin purge}'s usage, which needs no cluster. */
class AdminCommandsTest {

  private static final Supplier<Spool> NO_CLUSTER = () -> {
    throw new AssertionError("the command connected to a cluster");
  };

  private record Run(int exit, String out, String err) {}

  private static Run spool(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), NO_CLUSTER);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aRetentionOfZeroOrLessIsAUsageErrorNamingTheOption() {
    for (String days : new String[] {"0", "-3"}) {
      Run run = spool("admin", "purge", "--retention-days", days);
      assertEquals(SpoolCli.EXIT_USAGE, run.exit(), run.err());
      assertTrue(run.err().contains("--retention-days must be at least 1, not " + days), run.err());
    }
  }

  @Test
  void aRetentionThatIsNotANumberIsAUsageError() {
    Run run = spool("admin", "purge", "--retention-days", "a week");
    assertEquals(SpoolCli.EXIT_USAGE, run.exit());
    assertTrue(run.err().contains("--retention-days"), run.err());
  }

  @Test
  void helpExplainsWhatIsPurgedWithAnExample() {
    Run run = spool("admin", "purge", "--help");
    assertEquals(SpoolCli.EXIT_OK, run.exit(), run.err());
    assertTrue(run.out().contains("results, bundles and job records are never touched"), run.out());
    assertTrue(run.out().contains("spool.purge.interval-ms"), run.out());
    assertTrue(run.out().contains("spool admin purge --owner alice --retention-days 7 --json"), run.out());
    assertTrue(run.out().contains("--dry-run"), run.out());
  }
}
