package io.spool.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The benchmark's small mode runs end to end and reports every workload; it asserts no timings. */
class BenchSmallTest {

  private static final Set<String> WORKLOADS = Set.of("throughput", "latency", "scale", "host", "cold", "submission",
      "build", "rest", "python");

  @Test
  @Timeout(300)
  void smallRunWritesTableJsonAndPlotOfEveryWorkload(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bench");
    StringWriter console = new StringWriter();
    CommandLine cli = new CommandLine(new Bench());
    cli.setOut(new PrintWriter(console, true));

    int exit = cli.execute("--small", "--out", out.toString());

    assertEquals(0, exit, console.toString());
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
      assertTrue(console.toString().contains(workload), console.toString());
    }
    BufferedImage plot = ImageIO.read(out.resolve(Report.PLOT_FILE).toFile());
    assertTrue(plot.getWidth() > 0 && plot.getHeight() > 0);
  }
}
