package io.spool.bench;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.model.JobProcess;
import io.spool.core.model.JobStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Sequential single jobs on a READY function with a live executor, after as many unmeasured ones: submit → result in
 * hand, p50/p90/p99, and the median of each step of the way.
 */
final class LatencyWorkload {

  private LatencyWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    List<Measurement> rows = new ArrayList<>();
    for (JobProcess mode : List.of(JobProcess.REUSED, JobProcess.FRESH)) {
      rows.addAll(run(ctx, mode));
    }
    return rows;
  }

  private static List<Measurement> run(BenchContext ctx, JobProcess mode) throws Exception {
    Function f = ctx.track(ctx.burnFunction(1).jobProcess(mode).build().save());
    // a repetition's worth of jobs first, not measured: the function's JVMs and this one (the embedded cluster's
    // servers, started minutes ago) are still compiling their hot paths, which a cluster's long-running ones have done
    for (int i = 0; i < ctx.options.latencyJobs(); i++) {
      once(f, i);
    }
    List<Double> p50 = new ArrayList<>();
    List<Double> p90 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    List<List<Double>> all = new ArrayList<>();
    Map<Phase, List<Double>> phaseMedians = new EnumMap<>(Phase.class);
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      List<Double> samples = new ArrayList<>();
      Map<Phase, List<Double>> phases = new EnumMap<>(Phase.class);
      for (int i = 0; i < ctx.options.latencyJobs(); i++) {
        Sample sample = once(f, i);
        samples.add(sample.totalMs());
        sample.phasesMs().forEach((phase, ms) -> phases.computeIfAbsent(phase, k -> new ArrayList<>()).add(ms));
      }
      all.add(samples);
      p50.add(Measurement.percentile(samples, 50));
      p90.add(Measurement.percentile(samples, 90));
      p99.add(Measurement.percentile(samples, 99));
      phases.forEach((phase, ms) -> phaseMedians.computeIfAbsent(phase, k -> new ArrayList<>())
          .add(Measurement.percentile(ms, 50)));
      ctx.progress("  latency %d/%d, job process %s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms", r + 1,
          ctx.options.repetitions(), mode.wire(), p50.get(r), p90.get(r), p99.get(r));
    }
    String jobs = ctx.options.latencyJobs() + " sequential jobs, job process " + mode.wire();
    List<Measurement> rows = new ArrayList<>(List.of(
        Measurement.alone("latency", "warm job p50 (" + jobs + ")", "ms", p50, Map.of("samplesMs", all)),
        Measurement.alone("latency", "warm job p90", "ms", p90, Map.of()),
        Measurement.alone("latency", "warm job p99", "ms", p99, Map.of())));
    phaseMedians.forEach((phase, medians) -> rows.add(
        Measurement.alone("latency", "  " + phase.label + ", p50", "ms", medians, Map.of())));
    return rows;
  }

  /**
   * The steps of one job, from the times its record keeps (the master's clock, on the machine of this JVM in the
   * embedded cluster) and the client's own.
   */
  enum Phase {
    SUBMIT("submit → RUNNING"),
    EXECUTE("RUNNING → ended"),
    PYTHON("  of which in the Python worker"),
    SEEN("ended → seen by the client"),
    READ("reading the result");

    final String label;

    Phase(String label) {
      this.label = label;
    }
  }

  /** One job's submit → result in hand, and its phases, milliseconds. */
  private record Sample(double totalMs, Map<Phase, Double> phasesMs) {}

  private static Sample once(Function f, int i) throws Exception {
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    Job job = f.call(i);
    JobStatus status = job.waitForCompletion(BenchContext.TIMEOUT);
    long seen = System.nanoTime();
    long seenMillis = System.currentTimeMillis();
    Object result = job.result();
    long end = System.nanoTime();
    if (status != JobStatus.SUCCESS || result == null) {
      throw new IllegalStateException("latency job " + job.id() + " ended " + status + ": " + job.errorReason());
    }
    Map<Phase, Double> phases = new EnumMap<>(Phase.class);
    if (job.lastExecutionDate() != null && job.lastCompletionDate() != null && job.runtime() != null) {
      long running = job.lastExecutionDate().toEpochMilli();
      long ended = job.lastCompletionDate().toEpochMilli();
      phases.put(Phase.SUBMIT, (double) (running - startMillis));
      phases.put(Phase.EXECUTE, (double) (ended - running));
      phases.put(Phase.PYTHON, job.runtime() * 1000);
      phases.put(Phase.SEEN, (double) (seenMillis - ended));
    }
    phases.put(Phase.READ, (end - seen) / 1e6);
    return new Sample((end - start) / 1e6, phases);
  }
}
