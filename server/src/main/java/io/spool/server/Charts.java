package io.spool.server;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.model.AttemptStatistics;
import io.spool.core.model.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the function page plots, from one read of the function's jobs (at most {@value #MAX_JOBS}): jobs ended per
 * status over time and jobs running at each moment, and the distributions of runtime and peak memory.
 */
final class Charts {

  static final int MAX_JOBS = 200_000;
  private static final int BINS = 20;
  private static final List<JobStatus> ENDED =
      List.of(JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.CANCELED);

  private Charts() {}

  /** A function's charts with {@code buckets} time buckets. */
  static Map<String, Object> of(Function f, int buckets) {
    List<long[]> spans = new ArrayList<>();
    List<JobStatus> statuses = new ArrayList<>();
    List<Double> runtimes = new ArrayList<>();
    List<Double> memory = new ArrayList<>();
    long scanned;
    try (Stream<Job> jobs = f.jobs().stream().limit(MAX_JOBS)) {
      scanned = jobs.peek(j -> {
        spans.add(new long[] {millis(j.creationDate()), millis(j.lastExecutionDate()),
            millis(j.lastCompletionDate())});
        statuses.add(j.status());
        if (j.runtime() != null) {
          runtimes.add(j.runtime());
        }
        j.statistics().map(AttemptStatistics::peakMemoryBytes).filter(m -> m > 0)
            .ifPresent(m -> memory.add(m.doubleValue()));
      }).count();
    }
    Map<String, Object> charts = new LinkedHashMap<>();
    charts.put("jobs", scanned);
    charts.put("truncated", scanned == MAX_JOBS);
    charts.put("timeline", timeline(spans, statuses, buckets));
    charts.put("runtime", histogram(runtimes));
    charts.put("peakMemory", histogram(memory));
    return charts;
  }

  private static Map<String, Object> timeline(List<long[]> spans, List<JobStatus> statuses, int buckets) {
    long start = Long.MAX_VALUE;
    long end = System.currentTimeMillis();
    for (long[] s : spans) {
      if (s[0] > 0) {
        start = Math.min(start, s[0]);
      }
    }
    Map<String, Object> timeline = new LinkedHashMap<>();
    if (start == Long.MAX_VALUE) {
      start = end;
    }
    long bucketMs = Math.max(1_000, ((end - start) / buckets / 1_000 + 1) * 1_000);
    int n = (int) Math.min(buckets, (end - start) / bucketMs + 1);
    Map<String, long[]> series = new LinkedHashMap<>();
    ENDED.forEach(s -> series.put(s.name(), new long[n]));
    long[] running = new long[n];
    for (int i = 0; i < spans.size(); i++) {
      long[] s = spans.get(i);
      JobStatus status = statuses.get(i);
      if (s[2] > 0 && series.containsKey(status.name())) {
        series.get(status.name())[bucket(s[2], start, bucketMs, n)]++;
      }
      if (s[1] > 0) {
        long until = status.isTerminal() && s[2] >= s[1] ? s[2] : Long.MAX_VALUE;
        for (int b = bucket(s[1], start, bucketMs, n); b < n; b++) {
          long at = start + (b + 1) * bucketMs;
          if (at >= until) {
            break;
          }
          running[b]++;
        }
      }
    }
    timeline.put("start", Instant.ofEpochMilli(start).toString());
    timeline.put("bucketSeconds", bucketMs / 1_000);
    timeline.put("series", series);
    timeline.put("running", running);
    return timeline;
  }

  private static int bucket(long t, long start, long bucketMs, int n) {
    return (int) Math.max(0, Math.min(n - 1, (t - start) / bucketMs));
  }

  /** {@code edges} has one more element than {@code counts}; empty data gives empty lists. */
  private static Map<String, Object> histogram(List<Double> values) {
    Map<String, Object> h = new LinkedHashMap<>();
    if (values.isEmpty()) {
      h.put("edges", List.of());
      h.put("counts", List.of());
      return h;
    }
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    double width = max <= 0 ? 1 : max / BINS;
    double[] edges = new double[BINS + 1];
    for (int i = 0; i <= BINS; i++) {
      edges[i] = i * width;
    }
    long[] counts = new long[BINS];
    for (double v : values) {
      counts[(int) Math.min(BINS - 1, Math.floor(v / width))]++;
    }
    h.put("edges", edges);
    h.put("counts", counts);
    return h;
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }
}
