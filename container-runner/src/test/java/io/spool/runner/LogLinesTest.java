package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's side of the log line format the Python log pump writes. */
class LogLinesTest {

  @TempDir
  Path dir;

  @Test
  void linesStartWithTheirUtcTimeToTheMillisecond() {
    assertEquals("2026-11-24T07:05:01.120Z [spool] canceled\n",
        LogLines.timestamped(Instant.parse("2026-11-24T07:05:01.12Z"), "[spool] canceled"));
    assertEquals("1970-01-01T00:00:00.000Z", LogLines.timestamp(Instant.EPOCH));
    assertEquals("2031-01-02T03:04:05.999Z", LogLines.timestamp(Instant.parse("2031-01-02T03:04:05.999999Z")));
  }

  @Test
  void everyLineOfAMultiLineTextIsTimestamped() {
    assertEquals("1970-01-01T00:00:00.000Z one\n1970-01-01T00:00:00.000Z two\n",
        LogLines.timestamped(Instant.EPOCH, "one\ntwo"));
  }

  @Test
  void appendAddsTimestampedLinesToTheLog() throws Exception {
    Path log = dir.resolve("log");
    LogLines.append(log, "first");
    LogLines.append(log, "second");
    List<String> lines = Files.readAllLines(log);
    assertEquals(2, lines.size());
    assertEquals(List.of("first", "second"), lines.stream().map(LogLines::strip).toList());
    assertEquals(25, lines.get(0).indexOf("first"));
  }

  @Test
  void stripRemovesOnlyALeadingTimestamp() {
    assertEquals("SPOOL_BUILD_RESULT {}", LogLines.strip("2026-11-24T07:05:01.123Z SPOOL_BUILD_RESULT {}"));
    String inside = "no timestamp 2026-11-24T07:05:01.123Z here";
    assertEquals(inside, LogLines.strip(inside));
  }

  @Test
  void theWorkersFilesHoldThePumpAndTheSpoolPackageAndThePumpRunsACommand() throws Exception {
    Path pump = PythonWorker.extract(dir.resolve("worker")).resolveSibling(LogLines.PUMP_SCRIPT);
    assertTrue(Files.isRegularFile(dir.resolve("worker").resolve("spool").resolve("__init__.py")));
    Path log = dir.resolve("build.log");
    LogLines.append(log, "[spool-build] a line of the build's own");
    Process process = new ProcessBuilder(LogLines.pumped(TestJobs.PYTHON, pump, log, 0,
        List.of(TestJobs.PYTHON, "-c", "import sys; print('from the command'); sys.exit(4)")))
        .redirectErrorStream(true).start();
    assertEquals(4, process.waitFor(), new String(process.getInputStream().readAllBytes()));
    List<String> lines = Files.readAllLines(log);
    assertEquals(List.of("[spool-build] a line of the build's own", "from the command"),
        lines.stream().map(LogLines::strip).toList());
    assertTrue(lines.get(1).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z from the command"),
        lines.get(1));
  }

  @Test
  void aCommandRunsThroughThePumpWithTheCap() {
    assertEquals(List.of("/usr/bin/python3", "-u", "-B", "/w/spool_logs.py", "--out", "/w/build.log", "--max-bytes",
        "1024", "--", "tar", "-czf", "env.tgz"), LogLines.pumped("/usr/bin/python3", Path.of("/w/spool_logs.py"),
        Path.of("/w/build.log"), 1024, List.of("tar", "-czf", "env.tgz")));
  }
}
