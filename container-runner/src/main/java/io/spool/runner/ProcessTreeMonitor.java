package io.spool.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a job's process tree from Linux's {@code /proc}: every process whose session is the job's (the job's child
 * is a session leader, so whatever it spawns counts too), sampled on a daemon thread that all monitors share. Memory is the resident set of
 * the tree; CPU is user plus system time, kept per process at the highest value seen so that processes that have
 * exited still count.
 */
final class ProcessTreeMonitor {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessTreeMonitor.class);
  /** The one thread that samples every monitored tree of this process, in turn (a thread per job would cost more). */
  private static final ScheduledExecutorService SAMPLERS = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "process-tree-monitor");
    thread.setDaemon(true);
    return thread;
  });

  /** One look at the tree: its resident memory, its CPU time so far, and how many processes it has now. */
  record Sample(long memoryBytes, double cpuSeconds, int processes) {}

  /**
   * What the tree used while it was watched.
   *
   * @param cpuSeconds user plus system time of all its processes
   * @param cpuPercent CPU time over wall time, percent (above 100 with several busy cores)
   * @param peakMemoryBytes the highest resident memory sampled
   * @param averageMemoryBytes the time-weighted mean of the resident memory sampled
   * @param wallSeconds how long it was watched
   */
  record Statistics(double cpuSeconds, double cpuPercent, long peakMemoryBytes, long averageMemoryBytes,
      double wallSeconds) {}

  /** The fields of {@code /proc/<pid>/stat} that the monitor uses. */
  record ProcessStat(int pid, int session, long cpuTicks, long residentPages) {}

  private final Path proc;
  private final int session;
  private final long pageSize;
  private final long ticksPerSecond;
  private final LongSupplier nanoClock;
  private final long startNanos;

  // guarded by this
  private final Map<Integer, Long> cpuTicksByPid = new HashMap<>();
  private final Map<Integer, Long> cpuTicksBefore = new HashMap<>(); // of processes that ran before the watch began
  private long peakMemory;
  private long lastMemory;
  private boolean sampled;
  private long firstNanos;
  private long lastNanos;
  private double memoryByteNanos;
  private ScheduledFuture<?> sampler;
  private Statistics stopped;

  /**
   * A monitor of the processes in session {@code session} as seen in {@code proc}; sizes in pages of
   * {@code pageSize} bytes, CPU times in ticks of {@code 1 / ticksPerSecond} s, time from {@code nanoClock}.
   */
  ProcessTreeMonitor(Path proc, int session, long pageSize, long ticksPerSecond, LongSupplier nanoClock) {
    if (session <= 0 || pageSize <= 0 || ticksPerSecond <= 0) {
      throw new IllegalArgumentException("session " + session + ", page size " + pageSize + " and ticks per second "
          + ticksPerSecond + " must be positive");
    }
    this.proc = proc;
    this.session = session;
    this.pageSize = pageSize;
    this.ticksPerSecond = ticksPerSecond;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.lastNanos = startNanos;
  }

  /** A monitor of the session led by {@code pid} on this machine. */
  static ProcessTreeMonitor of(int pid) {
    return new ProcessTreeMonitor(Paths.get("/proc"), pid, Kernel.PAGE_SIZE, Kernel.CLOCK_TICKS, System::nanoTime);
  }

  /**
   * Samples every {@code period}, the first one a period from now, on the one sampling thread of this process until
   * {@link #stop()}, handing each sample to {@code listener} (on that thread: it must not block). A job shorter than a period is never
   * sampled: reading every process's {@code /proc} entry would cost more than such a job, and what it used comes from
   * its worker, which waited for it.
   */
  synchronized ProcessTreeMonitor start(Duration period, Consumer<Sample> listener) {
    if (sampler != null || stopped != null) {
      throw new IllegalStateException("the monitor of session " + session + " was started already");
    }
    long periodNanos = period.toNanos();
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("the sampling period must be positive, not " + period);
    }
    sampler = SAMPLERS.scheduleWithFixedDelay(() -> {
      Sample sample = sample();
      try {
        listener.accept(sample);
      } catch (RuntimeException e) {
        LOG.warn("the listener of the monitor of session {} failed", session, e);
      }
    }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    return this;
  }

  /** Takes one sample of the tree and adds it to the statistics. */
  synchronized Sample sample() {
    long now = nanoClock.getAsLong();
    long memory = 0;
    int processes = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, ProcessTreeMonitor::isPid)) {
      for (Path entry : entries) {
        ProcessStat stat = read(entry.resolve("stat"));
        if (stat != null && (stat.session() == session || stat.pid() == session)) {
          processes++;
          memory += stat.residentPages() * pageSize;
          cpuTicksByPid.merge(stat.pid(), stat.cpuTicks(), Math::max);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list {}: the sample of session {} is incomplete", proc, session, e);
    }
    record(memory, now);
    return new Sample(memory, cpuSeconds(), processes);
  }

  /** Adds a sample: the memory of the one before held until now. */
  private void record(long memory, long now) {
    if (!sampled) {
      sampled = true;
      firstNanos = now;
    } else {
      memoryByteNanos += (double) lastMemory * (now - lastNanos);
    }
    lastMemory = memory;
    lastNanos = now;
    peakMemory = Math.max(peakMemory, memory);
  }

  private double cpuSeconds() {
    long ticks = 0;
    for (Map.Entry<Integer, Long> t : cpuTicksByPid.entrySet()) {
      ticks += Math.max(0, t.getValue() - cpuTicksBefore.getOrDefault(t.getKey(), 0L));
    }
    return (double) ticks / ticksPerSecond;
  }

  /**
   * Counts only the CPU that {@code pid} uses from now on: it ran before (a job process that runs jobs one after
   * another), and what it used then was other jobs'. Reads that one process's {@code stat}.
   */
  synchronized ProcessTreeMonitor fromNow(int pid) {
    ProcessStat stat = read(proc.resolve(Integer.toString(pid)).resolve("stat"));
    if (stat != null) {
      cpuTicksBefore.put(pid, stat.cpuTicks());
    }
    return this;
  }

  /**
   * Stops sampling, takes a last sample if the tree was sampled before (a job that was never sampled is not now)
   * and returns the statistics; later calls return the same.
   */
  Statistics stop() throws InterruptedException {
    ScheduledFuture<?> sampling;
    synchronized (this) {
      if (stopped != null) {
        return stopped;
      }
      sampling = sampler;
    }
    if (sampling != null) {
      sampling.cancel(false); // a sample under way holds this monitor's lock: the block below waits for it
    }
    synchronized (this) {
      if (stopped == null) {
        if (sampled) {
          sample();
        }
        stopped = statistics();
      }
      return stopped;
    }
  }

  /** The statistics so far. */
  synchronized Statistics statistics() {
    double wall = (lastNanos - startNanos) / 1e9;
    double cpu = cpuSeconds();
    long sampledNanos = lastNanos - firstNanos;
    long average = sampledNanos > 0 ? Math.round(memoryByteNanos / sampledNanos) : lastMemory;
    return new Statistics(cpu, wall > 0 ? cpu / wall * 100 : 0, peakMemory, average, wall);
  }

  private static boolean isPid(Path entry) {
    String name = entry.getFileName().toString();
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return false;
      }
    }
    return !name.isEmpty();
  }

  /** The stat of one process, or null if it has gone (or its stat cannot be read or understood). */
  private static ProcessStat read(Path stat) {
    String line;
    try {
      line = new String(Files.readAllBytes(stat), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return null; // it exited between the listing and the read
    }
    try {
      return parse(line);
    } catch (IllegalArgumentException e) {
      LOG.debug("skipping {}", stat, e);
      return null;
    }
  }

  /**
   * Parses a {@code /proc/<pid>/stat} line. The command name in parentheses may hold spaces and parentheses, so the
   * fields are counted from the last {@code )}: state is field 3, session 6, utime 14, stime 15, rss 24.
   */
  static ProcessStat parse(String line) {
    int open = line.indexOf(" (");
    int close = line.lastIndexOf(')');
    if (open <= 0 || close < open) {
      throw new IllegalArgumentException("not a /proc stat line: " + line);
    }
    String[] fields = line.substring(close + 1).trim().split(" +");
    if (fields.length < 22) {
      throw new IllegalArgumentException("a /proc stat line with " + (fields.length + 2) + " fields: " + line);
    }
    try {
      return new ProcessStat(Integer.parseInt(line.substring(0, open).trim()), Integer.parseInt(field(fields, 6)),
          Long.parseLong(field(fields, 14)) + Long.parseLong(field(fields, 15)), Long.parseLong(field(fields, 24)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a /proc stat line with a malformed number: " + line, e);
    }
  }

  /** Field {@code number} (counted from 1 as in proc(5)) of the fields that follow the command name. */
  private static String field(String[] afterCommand, int number) {
    return afterCommand[number - 3];
  }

  /** This machine's page size and clock ticks, asked of {@code getconf} once. */
  private static final class Kernel {
    static final long PAGE_SIZE = getconf("PAGESIZE", 4096);
    static final long CLOCK_TICKS = getconf("CLK_TCK", 100);

    private static long getconf(String name, long fallback) {
      try {
        Process process = new ProcessBuilder("getconf", name).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() == 0) {
          return Long.parseLong(out);
        }
        process.destroyForcibly();
      } catch (IOException | NumberFormatException e) {
        LOG.warn("getconf {} failed; assuming {}", name, fallback, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fallback;
    }
  }
}
