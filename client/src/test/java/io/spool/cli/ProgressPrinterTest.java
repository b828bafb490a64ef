package io.spool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.JobStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a wait's progress reaches the output: a bar redrawn with carriage returns, or plain lines. */
@Timeout(30)
class ProgressPrinterTest {

  private static Map<JobStatus, Long> counts(long success, long pending) {
    Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
    counts.put(JobStatus.SUCCESS, success);
    counts.put(JobStatus.PENDING, pending);
    return counts;
  }

  @Test
  void plainOutputIsWholeLinesEveryIntervalEndingWithTheCounts() throws Exception {
    StringWriter text = new StringWriter();
    AtomicInteger reads = new AtomicInteger();
    try (ProgressPrinter progress = new ProgressPrinter(new PrintWriter(text), false, Duration.ofMillis(20),
        c -> 4, () -> counts(reads.incrementAndGet() > 2 ? 1 : 0, 3))) {
      while (reads.get() < 3) {
        Thread.sleep(10);
      }
      progress.line("f-2 FAILURE ValueError: 2");
      progress.done(counts(4, 0));
    }
    String out = text.toString();
    assertFalse(out.contains("\r"), out);
    List<String> lines = out.lines().toList();
    assertTrue(lines.get(0).startsWith("waiting: 0/4 ended, PENDING=3"), out);
    assertTrue(lines.contains("f-2 FAILURE ValueError: 2"), out);
    assertEquals("done: SUCCESS=4", lines.get(lines.size() - 1), out);
  }

  @Test
  void onATerminalTheBarIsRedrawnInPlaceAndJobLinesGoAboveIt() throws Exception {
    StringWriter text = new StringWriter();
    AtomicInteger reads = new AtomicInteger();
    try (ProgressPrinter progress = new ProgressPrinter(new PrintWriter(text), true, Duration.ofMillis(20),
        c -> 4, () -> {
          reads.incrementAndGet();
          return counts(1, 3);
        })) {
      while (reads.get() < 2) {
        Thread.sleep(10);
      }
      progress.line("f-3 TIMEOUT");
      progress.done(counts(4, 0));
    }
    String out = text.toString();
    assertTrue(out.startsWith("\r[#######"), out);
    assertTrue(out.contains("1/4 PENDING=3 SUCCESS=1"), out);
    assertTrue(out.contains("\rf-3 TIMEOUT\n"), out);
    String[] lines = out.split("\n");
    assertEquals("done: SUCCESS=4", lines[lines.length - 1], out);
    String last = lines[lines.length - 2];
    assertTrue(last.substring(last.lastIndexOf('\r') + 1).startsWith("[" + "#".repeat(30) + "] 4/4 SUCCESS=4"), out);
  }
}
