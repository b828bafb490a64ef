package io.spool.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import io.spool.cli.SpoolCli;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's small mode runs end to end and reports every workload; it asserts no timings. */
class BenchSmallTest {

  /** A log4j line (its ISO 8601 time first), a stack trace's frame, or a line of log4j's or SLF4J's own. */
  private static final Pattern LOG_LINE = Pattern.compile(
      "(?m)^(\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}[,.]\\d{3}|\\s+at [a-z]|SLF4J|log4j:)");

  private static final Set<String> WORKLOADS = Set.of("throughput", "latency", "scale", "host", "cold", "submission",
      "build", "rest", "python", "cli", "fault");

  @Test
  @Timeout(300)
  void smallRunWritesTableJsonAndPlotOfEveryWorkload(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bench");
    // in a JVM of its own, its output and errors in one pipe, as `bin/spool bench --small | tee out.txt`
    List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens")).forEach(command::add);
    command.add("-Dspool.dist.jar=" + System.getProperty("spool.dist.jar"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpoolCli.class.getName(),
        "bench", "--small", "--out", out.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String console = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();

    assertEquals(0, exit, console);
    // a report for a person: no escape sequence, no log line or stack trace; Hadoop's lines are in the file named
    assertFalse(console.contains("\u001b"), console);
    assertFalse(LOG_LINE.matcher(console).find(), console);
    Path log = out.resolve(Bench.LOG_FILE);
    assertTrue(console.contains("Hadoop's log: " + log), console);
    assertTrue(LOG_LINE.matcher(Files.readString(log)).find(), "Hadoop's lines are in " + log);
    String table = Files.readString(out.resolve(Report.TABLE_FILE));
    JsonNode json = new ObjectMapper().readTree(out.resolve(Report.JSON_FILE).toFile());
    Set<String> reported = new HashSet<>();
    Set<String> metrics = new HashSet<>();
    for (JsonNode m : json.get("measurements")) {
      reported.add(m.get("workload").asText());
      metrics.add(m.get("metric").asText().strip());
      assertTrue(m.get("spool").size() >= 1, m.toString());
    }
    assertEquals(WORKLOADS, reported);
    for (String explained : List.of("CPU per call, all processes (job process reused)",
        "CPU per call, all processes (job process fresh)", "of which Python workers and jobs",
        "HDFS files created per job", "ZooKeeper writes per job (a multi-op counts once)",
        "beyond the pool's CPU and one fork per call", "jobs per second",
        "submit → RUNNING, p50", "RUNNING → ended, p50", "reading the result, p50")) {
      assertTrue(metrics.contains(explained), explained + " in " + metrics);
    }
    assertTrue(metrics.stream().anyMatch(m -> m.startsWith("master heap per queued job")), metrics.toString());
    for (String workload : WORKLOADS) {
      assertTrue(table.contains(workload), table);
      assertTrue(console.contains(workload), console);
    }
    BufferedImage plot = ImageIO.read(out.resolve(Report.PLOT_FILE).toFile());
    assertTrue(plot.getWidth() > 0 && plot.getHeight() > 0);
  }
}
