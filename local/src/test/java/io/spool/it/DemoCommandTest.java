package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
      Run demo = spool("demo", "--data-dir", dir.resolve("data").toString(), "--conf-file",
          dir.resolve("conf/spool-site.xml").toString(), "--project-dir", project.toString(), "--jobs", "3");
      assertEquals(0, demo.exit(), demo.out() + demo.err());
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
