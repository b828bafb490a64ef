package io.spool.core.model;

/**
 * Resource use of a job's attempt, measured by the runner from {@code /proc} over the job's whole process tree
 * (every process in the job's session) while it ran. Network bytes are not measured: a job shares its container's
 * network namespace with the runner, so no honest per-job figure exists.
 */
public final class AttemptStatistics {

  private double cpuSeconds;
  private double cpuPercent;
  private long peakMemoryBytes;
  private long averageMemoryBytes;

  public AttemptStatistics() {}

  public AttemptStatistics(double cpuSeconds, double cpuPercent, long peakMemoryBytes, long averageMemoryBytes) {
    this.cpuSeconds = cpuSeconds;
    this.cpuPercent = cpuPercent;
    this.peakMemoryBytes = peakMemoryBytes;
    this.averageMemoryBytes = averageMemoryBytes;
  }

  /** CPU time of the job's processes, seconds. */
  public double cpuSeconds() { return cpuSeconds; }

  /** CPU time over wall time, percent (above 100 with several busy cores). */
  public double cpuPercent() { return cpuPercent; }

  /** Highest resident memory of the job's process tree, bytes. */
  public long peakMemoryBytes() { return peakMemoryBytes; }

  /** Time-weighted mean resident memory of the job's process tree, bytes. */
  public long averageMemoryBytes() { return averageMemoryBytes; }

  @Override
  public String toString() {
    return String.format("cpu %.2f s (%.0f%%), memory peak %d MiB, average %d MiB", cpuSeconds, cpuPercent,
        peakMemoryBytes >> 20, averageMemoryBytes >> 20);
  }
}
