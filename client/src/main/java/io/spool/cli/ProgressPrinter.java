package io.spool.cli;

import io.spool.core.model.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.function.Supplier;

/**
 * Shows how a wait goes: on a terminal a bar redrawn in place, otherwise a plain line every few seconds; a line per
 * job that did not succeed; and a final {@code done:} line with the counts.
 */
final class ProgressPrinter implements AutoCloseable {

  /** How to show progress: a redrawn bar, plain lines, or a bar when standard output is a terminal. */
  enum Mode {
    AUTO, ALWAYS, NEVER;

    boolean bar() {
      return this == ALWAYS || this == AUTO && System.console() != null;
    }
  }

  /** How often a bar is redrawn, and how often a plain line is written. */
  static final Duration BAR_INTERVAL = Duration.ofMillis(250);
  static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

  private final PrintWriter out;
  private final boolean bar;
  private final ToLongFunction<Map<JobStatus, Long>> total;
  private final Supplier<Map<JobStatus, Long>> counts;
  private final long start = System.nanoTime();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "spool-progress");
    t.setDaemon(true);
    return t;
  });
  private int drawn;

  /**
   * Starts showing progress: {@code counts} reads the current counts per status, {@code total} gives the number of
   * jobs waited on from them.
   */
  ProgressPrinter(PrintWriter out, Mode mode, ToLongFunction<Map<JobStatus, Long>> total,
      Supplier<Map<JobStatus, Long>> counts) {
    this(out, mode.bar(), mode.bar() ? BAR_INTERVAL : PLAIN_INTERVAL, total, counts);
  }

  ProgressPrinter(PrintWriter out, boolean bar, Duration interval, ToLongFunction<Map<JobStatus, Long>> total,
      Supplier<Map<JobStatus, Long>> counts) {
    this.out = out;
    this.bar = bar;
    this.total = total;
    this.counts = counts;
    long millis = interval.toMillis();
    ticker.scheduleWithFixedDelay(this::tick, bar ? 0 : millis, millis, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    Map<JobStatus, Long> now = counts.get();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    synchronized (out) {
      if (bar) {
        redraw(WaitProgress.bar(now, total.applyAsLong(now), elapsed));
      } else {
        out.println(WaitProgress.plain(now, total.applyAsLong(now), elapsed));
      }
      out.flush();
    }
  }

  private void redraw(String line) {
    out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
    drawn = line.length();
  }

  /** Prints a line about one job (above the bar, on a terminal). */
  void line(String text) {
    synchronized (out) {
      if (bar && drawn > 0) {
        out.print("\r" + " ".repeat(drawn) + "\r");
        drawn = 0;
      }
      out.println(text);
      out.flush();
    }
  }

  /** Stops redrawing and prints the final counts. */
  void done(Map<JobStatus, Long> finalCounts) {
    ticker.shutdownNow();
    synchronized (out) {
      if (bar) {
        redraw(WaitProgress.bar(finalCounts, total.applyAsLong(finalCounts),
            Duration.ofNanos(System.nanoTime() - start)));
        out.println();
      }
      out.println(WaitProgress.done(finalCounts));
      out.flush();
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
