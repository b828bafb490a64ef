package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code spool demo} and {@code spool local …} through the command line, on a cluster of their own. */
class DemoCommandTest {

  private record Run(int exit, String out, String err) {}

  private static Run spool(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), () -> {
      throw new IllegalStateException("the local commands must not use the default connection");
    });
    return new Run(exit, out.toString(), err.toString());
  }

  /** Hadoop's and log4j's own lines, and stack traces: none may reach the console of the demo. */
  static final java.util.regex.Pattern LOG_LINE = java.util.regex.Pattern.compile(
      "(?m)^(\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}[,.]\\d{3}|\\s+at [a-z]|SLF4J|log4j:)");

  /**
   * Runs the command line in a JVM of its own with its output and errors going to one pipe, as
   * {@code bin/spool demo | tee out.txt} would.
   */
  private static Run piped(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens")).forEach(command::add);
    command.add("-Dspool.dist.jar=" + System.getProperty("spool.dist.jar"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpoolCli.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Run(process.waitFor(), out, "");
  }

  private static Path newDir(String prefix) throws Exception {
    Path target = Paths.get(System.getProperty("basedir", "."), "target").toAbsolutePath();
    Files.createDirectories(target);
    return Files.createTempDirectory(target, prefix);
  }

  @Test
  @Timeout(400)
  void demoStartsTheClusterRunsHelloAndPrintsResultsAndALog() throws Exception {
    Path dir = newDir("demo-");
    Path project = Paths.get(System.getProperty("basedir", "."), "..").toAbsolutePath().normalize();
    try {
      Run demo = piped("demo", "--data-dir", dir.resolve("data").toString(), "--conf-file",
          dir.resolve("conf/spool-site.xml").toString(), "--project-dir", project.toString(), "--jobs", "3");
      assertEquals(0, demo.exit(), demo.out() + demo.err());
      // a clean report: no escape sequence, no log line; the logs are named
      assertFalse(demo.out().contains("\u001b"), demo.out());
      assertFalse(LOG_LINE.matcher(demo.out()).find(), demo.out());
      assertTrue(demo.out().contains("Logs: " + dir.resolve("data").resolve("daemon.log") + " (the cluster's), "
          + dir.resolve("data").resolve("demo.log") + " (this command's)"), demo.out());
      assertTrue(Files.readString(dir.resolve("data").resolve("daemon.log")).contains("Embedded cluster started"),
          "the cluster's log lines went to its log file");
      for (int i = 0; i < 3; i++) {
        assertTrue(demo.out().contains("hello " + i), demo.out());
      }
      assertTrue(demo.out().contains("Starting the embedded cluster"), demo.out());
      assertTrue(demo.out().contains("progress: {SUCCESS=3}"), demo.out());
      assertTrue(java.util.regex.Pattern.compile("See it in the browser: http://\\S+/ui/functions/[a-z0-9]+/")
          .matcher(demo.out()).find(), demo.out());
      assertTrue(java.util.regex.Pattern.compile("\\| \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z saying hello to 0")
          .matcher(demo.out()).find(), "the log, each line timestamped: " + demo.out());
      Run status = spool("local", "status", "--data-dir", dir.resolve("data").toString());
      assertEquals(0, status.exit(), status.out());
      assertTrue(status.out().contains("running"), status.out());
    } finally {
      Run stop = spool("local", "stop", "--data-dir", dir.resolve("data").toString());
      assertEquals(0, stop.exit(), stop.err());
    }
    Run status = spool("local", "status", "--data-dir", dir.resolve("data").toString());
    assertEquals(SpoolCli.EXIT_UNREACHABLE, status.exit(), status.out());
    assertTrue(status.out().contains("not running"), status.out());
  }

  @Test
  void demoOutsideAProjectSaysWhereItLooked() throws Exception {
    Path dir = newDir("no-project-");
    Path data = dir.resolve("data");
    Run demo = spool("demo", "--data-dir", data.toString(), "--project-dir", dir.toString());
    assertEquals(SpoolCli.EXIT_USAGE, demo.exit(), demo.out() + demo.err());
    assertTrue(demo.err().contains("cannot find examples/hello under " + dir), demo.err());
    assertTrue(Files.notExists(data), "nothing is started before the demo knows it can run");
  }
}
