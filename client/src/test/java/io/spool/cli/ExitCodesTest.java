package io.spool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exit codes that need no cluster: usage errors, an unreachable cluster, and the documented list. */
class ExitCodesTest {

  private record Run(int exit, String out, String err) {}

  private static Run spool(Supplier<Spool> connection, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), connection);
    return new Run(exit, out.toString(), err.toString());
  }

  private static final Supplier<Spool> NO_CLUSTER = () -> {
    throw new AssertionError("the command connected to a cluster");
  };

  @Test
  void aFailedConnectionExitsSixWithTheReason() {
    Run run = spool(() -> {
      throw new IllegalStateException("cannot reach ZooKeeper at localhost:1 within 15 s: is the cluster running?");
    }, "job", "get", "abcdefghij-1");
    assertEquals(SpoolCli.EXIT_UNREACHABLE, run.exit(), run.err());
    assertTrue(run.err().contains("cannot reach ZooKeeper at localhost:1"), run.err());
    assertTrue(run.err().contains("spool local start"), run.err());
  }

  @Test
  @Timeout(60)
  void aClosedZooKeeperPortExitsSix() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Configuration conf = new Configuration(false);
    conf.set(SpoolConfig.ZOOKEEPER_QUORUM, "127.0.0.1:" + port);
    conf.setInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, 2_000);
    Run run = spool(() -> Spool.connect(conf), "function", "list");
    assertEquals(SpoolCli.EXIT_UNREACHABLE, run.exit(), run.err());
    assertTrue(run.err().contains("127.0.0.1:" + port), run.err());
  }

  @Test
  void badOptionsAreUsageErrorsBeforeConnecting() {
    assertEquals(SpoolCli.EXIT_USAGE, spool(NO_CLUSTER, "job", "list", "f", "--sort", "colour").exit());
    assertEquals(SpoolCli.EXIT_USAGE, spool(NO_CLUSTER, "job", "list", "f", "--status", "DONE").exit());
    assertEquals(SpoolCli.EXIT_USAGE, spool(NO_CLUSTER, "job", "wait", "f-1", "--progress", "sometimes").exit());
    Run neither = spool(NO_CLUSTER, "job", "cancel");
    assertEquals(SpoolCli.EXIT_USAGE, neither.exit());
    assertTrue(neither.err().contains("give either JOB_IDs or --function"), neither.err());
    assertEquals(SpoolCli.EXIT_USAGE, spool(NO_CLUSTER, "job", "rerun", "f-1", "--status", "FAILURE").exit());
  }

  @Test
  void theRootHelpDocumentsEveryExitCode() {
    Run help = spool(NO_CLUSTER, "--help");
    assertEquals(SpoolCli.EXIT_OK, help.exit());
    for (int code : new int[] {SpoolCli.EXIT_OK, SpoolCli.EXIT_JOBS_FAILED, SpoolCli.EXIT_USAGE,
        SpoolCli.EXIT_BUILD_FAILED, SpoolCli.EXIT_TIMEOUT, SpoolCli.EXIT_ERROR, SpoolCli.EXIT_UNREACHABLE}) {
      assertTrue(help.out().contains("  " + code + "  "), "exit code " + code + " missing from\n" + help.out());
    }
  }

  @Test
  void everyGroupListsItsCommandsOnHelp() {
    for (String[] group : new String[][] {{"function", "create"}, {"job", "submit"}, {"blob", "list"},
        {"admin", "purge"}}) {
      Run help = spool(NO_CLUSTER, group[0], "--help");
      assertEquals(SpoolCli.EXIT_OK, help.exit(), help.err());
      assertTrue(help.out().contains("Usage: spool " + group[0]) && help.out().contains(group[1]), help.out());
    }
  }

  @Test
  void everyCommandHasAnExampleInItsHelp() {
    for (String[] command : new String[][] {{"job", "list"}, {"job", "cancel"}, {"job", "rerun"},
        {"job", "delete"}, {"job", "wait"}, {"job", "submit"}, {"function", "wait"}, {"blob", "list"},
        {"blob", "get"}, {"blob", "delete"}}) {
      String[] args = {command[0], command[1], "--help"};
      Run help = spool(NO_CLUSTER, args);
      assertEquals(SpoolCli.EXIT_OK, help.exit());
      assertTrue(help.out().contains("Example"), String.join(" ", command) + ":\n" + help.out());
    }
  }
}
