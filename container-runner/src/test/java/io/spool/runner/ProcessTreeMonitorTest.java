package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ProcessTreeMonitorTest {

  private static final long PAGE = 4096;

  /** A process that has said it is up (so its memory is mapped): Python sleeping for a minute. */
  private static Process sleeper() throws IOException {
    Process process = new ProcessBuilder(TestJobs.PYTHON, "-c", "import time; print('up', flush=True); time.sleep(60)").start();
    byte[] up = process.getInputStream().readNBytes(3);
    assertEquals("up\n", new String(up, StandardCharsets.US_ASCII));
    return process;
  }

  /** A /proc stat line; {@code ticks} is split into utime and stime. */
  private static String stat(int pid, String command, int session, long utime, long stime, long rssPages) {
    return pid + " (" + command + ") S 1 " + session + " " + session + " 0 -1 4194560 100 0 0 0 " + utime + " "
        + stime + " 0 0 20 0 1 0 4242 123456789 " + rssPages
        + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  }

  private static void process(Path proc, int pid, String command, int session, long utime, long stime, long pages)
      throws IOException {
    Files.createDirectories(proc.resolve(String.valueOf(pid)));
    Files.writeString(proc.resolve(pid + "/stat"), stat(pid, command, session, utime, stime, pages));
  }

  @Test
  void commandNamesWithSpacesAndParenthesesDoNotShiftTheFields() {
    ProcessTreeMonitor.ProcessStat stat = ProcessTreeMonitor.parse(stat(4321, "evil) 9 9 (x) y", 77, 30, 12, 2500));
    assertEquals(4321, stat.pid());
    assertEquals(77, stat.session());
    assertEquals(42, stat.cpuTicks());
    assertEquals(2500, stat.residentPages());
  }

  @Test
  void aTruncatedOrForeignLineIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ProcessTreeMonitor.parse("4321 (python3) S 1 2 3"));
    assertThrows(IllegalArgumentException.class, () -> ProcessTreeMonitor.parse("not a stat line"));
  }

  @Test
  void theTreeIsEveryProcessOfTheSessionAndExitedProcessesKeepTheirCpu(@TempDir Path proc) throws Exception {
    process(proc, 100, "python3 (job)", 100, 50, 10, 1000); // the job's child, leader of session 100
    process(proc, 101, "sh", 100, 20, 5, 300); // a grandchild in the session
    process(proc, 102, "other job) 100 (", 7, 999, 999, 99_999); // another session, whatever its name says
    Files.createDirectories(proc.resolve("103")); // vanished between the listing and the read: no stat
    Files.createDirectories(proc.resolve("self"));
    AtomicLong now = new AtomicLong(0);
    ProcessTreeMonitor monitor = new ProcessTreeMonitor(proc, 100, PAGE, 100, now::get);

    now.set(1_000_000_000L); // the sampler's first look comes a little after the start
    ProcessTreeMonitor.Sample first = monitor.sample();
    assertEquals(2, first.processes());
    assertEquals(1300 * PAGE, first.memoryBytes());
    assertEquals(0.85, first.cpuSeconds(), 1e-9);

    now.set(2_000_000_000L);
    Files.delete(proc.resolve("101/stat"));
    Files.delete(proc.resolve("101"));
    process(proc, 100, "python3 (job)", 100, 70, 10, 500);
    ProcessTreeMonitor.Sample second = monitor.sample();
    assertEquals(1, second.processes());
    assertEquals(500 * PAGE, second.memoryBytes());
    assertEquals(1.05, second.cpuSeconds(), 1e-9, "the grandchild's 0.25 s stay counted after it exited");

    now.set(5_000_000_000L);
    ProcessTreeMonitor.Statistics statistics = monitor.stop();
    assertEquals(1.05, statistics.cpuSeconds(), 1e-9);
    assertEquals(5.0, statistics.wallSeconds(), 1e-9);
    assertEquals(1.05 / 5.0 * 100, statistics.cpuPercent(), 1e-9);
    assertEquals(1300 * PAGE, statistics.peakMemoryBytes());
    // sampled for four seconds: 1300 pages for the first, 500 for the next three
    assertEquals((1300 * PAGE * 1 + 500 * PAGE * 3) / 4, statistics.averageMemoryBytes());
  }

  @Test
  void aProcessThatRanEarlierJobsIsChargedOnlyWhatItUsesFromTheStartOfTheWatch(@TempDir Path proc) throws Exception {
    process(proc, 100, "python3", 100, 300, 100, 1000); // a reused job process: 4 s of CPU for earlier jobs
    AtomicLong now = new AtomicLong(0);
    ProcessTreeMonitor monitor = new ProcessTreeMonitor(proc, 100, PAGE, 100, now::get).fromNow(100);
    now.set(1_000_000_000L);
    process(proc, 100, "python3", 100, 350, 110, 1200);
    process(proc, 101, "sh", 100, 20, 0, 100); // started by this job
    assertEquals(0.8, monitor.sample().cpuSeconds(), 1e-9, "0.6 s of the process, 0.2 s of its new child");
    assertEquals(0.8, monitor.stop().cpuSeconds(), 1e-9);
  }

  @Test
  void aProcessThatHasGoneIsSkippedNotAnError() throws Exception {
    Process sleeper = sleeper();
    try {
      ProcessTreeMonitor monitor = ProcessTreeMonitor.of((int) sleeper.pid());
      ProcessTreeMonitor.Sample alive = monitor.sample();
      assertEquals(1, alive.processes(), "the leader's pid counts even before it has its own session");
      assertTrue(alive.memoryBytes() > 0, alive.toString());

      sleeper.destroyForcibly();
      assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
      ProcessTreeMonitor.Sample gone = monitor.sample();
      assertEquals(0, gone.processes());
      assertEquals(0, gone.memoryBytes());
      assertEquals(alive.memoryBytes(), monitor.stop().peakMemoryBytes());
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void theSamplerHandsEverySampleToItsListenerUntilStopped() throws Exception {
    Process sleeper = sleeper();
    try {
      BlockingQueue<ProcessTreeMonitor.Sample> samples = new LinkedBlockingQueue<>();
      ProcessTreeMonitor monitor = ProcessTreeMonitor.of((int) sleeper.pid()).start(Duration.ofMillis(20), samples::add);
      for (int i = 0; i < 3; i++) {
        ProcessTreeMonitor.Sample sample = samples.poll(10, TimeUnit.SECONDS);
        assertTrue(sample != null && sample.processes() == 1, String.valueOf(sample));
      }
      ProcessTreeMonitor.Statistics statistics = monitor.stop();
      assertTrue(statistics.wallSeconds() >= 0.04, statistics.toString());
      assertTrue(statistics.averageMemoryBytes() > 0 && statistics.averageMemoryBytes() <= statistics.peakMemoryBytes(),
          statistics.toString());
      samples.clear();
      assertEquals(null, samples.poll(200, TimeUnit.MILLISECONDS), "no samples after stop()");
      assertEquals(statistics, monitor.stop(), "stop() is idempotent");
    } finally {
      sleeper.destroyForcibly();
    }
  }
}
