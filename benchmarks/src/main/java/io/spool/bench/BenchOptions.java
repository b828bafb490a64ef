package io.spool.bench;

import java.nio.file.Path;
import java.util.Set;

/**
 * The sizes of one benchmark run.
 *
 * @param jobs calls in the throughput workload
 * @param latencyJobs sequential single jobs in the latency workload, per repetition
 * @param mapJobs jobs mapped in the submission workload
 * @param scaleJobs jobs of a trivial function in the scale workload
 * @param cliRuns fresh runs of each command per repetition of the cli workload (their median is its figure)
 * @param repetitions how many times each workload is measured
 * @param workloads which workloads run
 * @param streaming whether the throughput workload also runs Hadoop Streaming on a MiniMRYarnCluster
 * @param out where the table, the JSON and the plot go
 */
record BenchOptions(int jobs, int latencyJobs, int mapJobs, int scaleJobs, int cliRuns, int repetitions, Set<Workload> workloads,
    boolean streaming, Path out) {

  /** The workloads, in the order they run. */
  enum Workload { THROUGHPUT, LATENCY, SCALE, COLD, SUBMISSION, BUILD, REST, PYTHON, CLI, FAULT }

  BenchOptions {
    if (jobs < 1 || latencyJobs < 1 || mapJobs < 1 || scaleJobs < 1 || cliRuns < 1 || repetitions < 1) {
      throw new IllegalArgumentException("--jobs, --latency-jobs, --map-jobs, --scale-jobs, --cli-runs and "
          + "--repetitions must be at least 1");
    }
    workloads = Set.copyOf(workloads);
  }
}
