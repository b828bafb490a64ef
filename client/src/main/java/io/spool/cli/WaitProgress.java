package io.spool.cli;

import io.spool.core.model.JobStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** Turns job counts and the time waited into a progress bar line or a plain status line (no I/O, no clock). */
final class WaitProgress {

  private static final int BAR_WIDTH = 30;

  private WaitProgress() {}

  /** The counts that are not zero, in status order: {@code SUCCESS=3 FAILURE=1}; {@code none} if all are zero. */
  static String counts(Map<JobStatus, Long> counts) {
    StringBuilder line = new StringBuilder();
    for (JobStatus status : JobStatus.values()) {
      long n = counts.getOrDefault(status, 0L);
      if (n > 0) {
        line.append(line.length() == 0 ? "" : " ").append(status.name()).append('=').append(n);
      }
    }
    return line.length() == 0 ? "none" : line.toString();
  }

  /** How many of the counted jobs have ended (SUCCESS, FAILURE, TIMEOUT or CANCELED). */
  static long ended(Map<JobStatus, Long> counts) {
    long ended = 0;
    for (Map.Entry<JobStatus, Long> e : counts.entrySet()) {
      if (e.getKey().isTerminal()) {
        ended += e.getValue();
      }
    }
    return ended;
  }

  /** {@code [#######.......]  7/20 SUCCESS=6 FAILURE=1  1.4 jobs/s  ETA 0:09}, to be redrawn after a carriage return. */
  static String bar(Map<JobStatus, Long> counts, long total, Duration elapsed) {
    long ended = ended(counts);
    int filled = total <= 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, ended * BAR_WIDTH / total);
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + ended + "/" + total + " "
        + counts(counts) + "  " + rateAndEta(ended, total, elapsed);
  }

  /** {@code waiting: 7/20 ended, SUCCESS=6 FAILURE=1 RUNNING=2, 1.4 jobs/s, ETA 0:09} — one line of a log. */
  static String plain(Map<JobStatus, Long> counts, long total, Duration elapsed) {
    return "waiting: " + ended(counts) + "/" + total + " ended, " + counts(counts) + ", "
        + rateAndEta(ended(counts), total, elapsed).replace("  ", ", ");
  }

  /** The final line: {@code done: SUCCESS=19 FAILURE=1}. */
  static String done(Map<JobStatus, Long> counts) {
    return "done: " + counts(counts);
  }

  private static String rateAndEta(long ended, long total, Duration elapsed) {
    double seconds = elapsed.toMillis() / 1000.0;
    if (ended == 0 || seconds <= 0) {
      return "0.0 jobs/s  ETA -";
    }
    double rate = ended / seconds;
    long eta = Math.round(Math.max(0, total - ended) / rate);
    return String.format(Locale.ROOT, "%.1f jobs/s  ETA %s", rate, clock(eta));
  }

  /** Seconds as {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
