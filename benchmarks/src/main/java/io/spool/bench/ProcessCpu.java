package io.spool.bench;

import io.spool.runner.ExecutorMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time of the benchmark's process tree, by role, read from Linux's {@code /proc}: this JVM (the client and
 * the embedded cluster, whose NodeManager starts every container as a descendant of it), the functions' masters,
 * their executors, and their Python workers with the jobs they forked and reaped. A process's time includes that of
 * the children it has waited for, so a job's forked process counts for its worker. Elsewhere than Linux, or where
 * {@code /proc} cannot be read, {@link #take()} is empty.
 */
final class ProcessCpu {

  /** Who a process is, as the breakdown names it. */
  enum Role {
    BENCH_JVM("client and embedded cluster (this JVM)"),
    MASTER("masters"),
    EXECUTOR("executors (JVM)"),
    PYTHON("Python workers and jobs"),
    OTHER("other processes");

    final String label;

    Role(String label) {
      this.label = label;
    }
  }

  private record Sample(Role role, long ticks) {}

  /** CPU ticks per second; Linux has reported 100 for decades, {@code getconf CLK_TCK} says for sure. */
  private static final double TICKS_PER_SECOND = ticksPerSecond();

  private final Map<Long, Sample> samples;

  private ProcessCpu(Map<Long, Sample> samples) {
    this.samples = samples;
  }

  /** The CPU times of this JVM and its descendants now; empty if {@code /proc} cannot be read. */
  static Optional<ProcessCpu> take() {
    Map<Long, Sample> samples = new HashMap<>();
    ProcessHandle self = ProcessHandle.current();
    if (!read(self.pid(), Role.BENCH_JVM, samples)) {
      return Optional.empty();
    }
    self.descendants().forEach(p -> read(p.pid(), role(p), samples));
    return Optional.of(new ProcessCpu(samples));
  }

  /**
   * Seconds of CPU per role between {@code before} and this snapshot, in {@link Role} order, roles without any left
   * out. A process that started since counts from zero; one that ended since counts only through the parent that
   * waited for it.
   */
  Map<Role, Double> secondsSince(ProcessCpu before) {
    Map<Role, Long> ticks = new EnumMap<>(Role.class);
    samples.forEach((pid, now) -> {
      Sample then = before.samples.get(pid);
      long spent = now.ticks() - (then == null ? 0 : then.ticks());
      ticks.merge(now.role(), Math.max(0, spent), Long::sum);
    });
    Map<Role, Double> seconds = new LinkedHashMap<>();
    ticks.forEach((role, t) -> seconds.put(role, t / TICKS_PER_SECOND));
    return seconds;
  }

  private static Role role(ProcessHandle p) {
    String line = p.info().commandLine().orElse("");
    boolean java = p.info().command().map(c -> c.endsWith("/java")).orElse(false);
    if (java && line.contains(MasterHeap.MASTER_CLASS)) {
      return Role.MASTER;
    }
    if (java && line.contains(ExecutorMain.class.getName())) {
      return Role.EXECUTOR;
    }
    if (line.contains("spool_worker.py")) {
      return Role.PYTHON;
    }
    return Role.OTHER;
  }

  /** Adds the process's user and system time, its own and its waited-for children's; false if it cannot be read. */
  private static boolean read(long pid, Role role, Map<Long, Sample> samples) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // the command name, in parentheses, may hold spaces: the fields that follow are counted from its end
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
          + Long.parseLong(fields[14]);
      samples.put(pid, new Sample(role, ticks));
      return true;
    } catch (IOException | RuntimeException gone) {
      return false;
    }
  }

  private static double ticksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return getconf.waitFor() == 0 ? Double.parseDouble(out) : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
