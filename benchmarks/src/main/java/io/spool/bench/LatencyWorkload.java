package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.model.JobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sequential single jobs on a READY function with a live executor: submit → result in hand, p50/p90/p99. */
final class LatencyWorkload {

  private LatencyWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    Function f = ctx.track(ctx.burnFunction(1).build().save());
    for (int i = 0; i < 3; i++) {
      once(f, i);
    }
    List<Double> p50 = new ArrayList<>();
    List<Double> p90 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    List<List<Double>> all = new ArrayList<>();
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      List<Double> samples = new ArrayList<>();
      for (int i = 0; i < ctx.options.latencyJobs(); i++) {
        samples.add(once(f, i));
      }
      all.add(samples);
      p50.add(Measurement.percentile(samples, 50));
      p90.add(Measurement.percentile(samples, 90));
      p99.add(Measurement.percentile(samples, 99));
      ctx.progress("  latency %d/%d: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms", r + 1, ctx.options.repetitions(),
          p50.get(r), p90.get(r), p99.get(r));
    }
    String jobs = ctx.options.latencyJobs() + " sequential jobs";
    return List.of(
        Measurement.alone("latency", "warm job p50 (" + jobs + ")", "ms", p50, Map.of("samplesMs", all)),
        Measurement.alone("latency", "warm job p90", "ms", p90, Map.of()),
        Measurement.alone("latency", "warm job p99", "ms", p99, Map.of()));
  }

  /** One job, submit → result in hand, milliseconds. */
  private static double once(Function f, int i) throws Exception {
    long start = System.nanoTime();
    Job job = f.call(i);
    JobStatus status = job.waitForCompletion(BenchContext.TIMEOUT);
    Object result = job.result();
    double ms = BenchContext.seconds(start) * 1000;
    if (status != JobStatus.SUCCESS || result == null) {
      throw new IllegalStateException("latency job " + job.id() + " ended " + status + ": " + job.errorReason());
    }
    return ms;
  }
}
