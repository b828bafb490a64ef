package io.spool.client.view;

import io.spool.client.Function;
import io.spool.core.model.JobStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A function as {@code spool function get --json} prints it and {@code GET /api/v1/functions/{id}} returns it.
 *
 * @param jobStatistics jobs per status (every status, zero where none), or null where it was not asked for
 */
public record FunctionView(String id, String name, String status, String statusReason, String entrypoint,
    String image, double cpus, int memory, int maximumConcurrency, int timeout, int retryCount, String jobProcess,
    int maxJobsPerProcess, String queue,
    int priority, String nodeLabel, boolean enabled, boolean autoStart, String owner, String creationDate,
    String modifiedDate, Map<String, String> environment, Map<String, Long> jobStatistics) {

  /** The view of {@code f}, with its job counts if {@code withStatistics} (read from the counters, no scan). */
  public static FunctionView of(Function f, boolean withStatistics) {
    Map<String, Long> stats = withStatistics ? counts(f.jobStatistics()) : null;
    return new FunctionView(f.id(), f.name(), String.valueOf(f.status()), f.statusReason(), f.entrypoint(),
        f.image(), f.cpus(), f.memory(), f.maximumConcurrency(), f.timeout(), f.retryCount(), f.jobProcess().wire(),
        f.maxJobsPerProcess(), f.queue(),
        f.priority(), f.nodeLabel().orElse(null), f.enabled(), f.autoStart(), f.owner(), iso(f.creationDate()),
        iso(f.modifiedDate()), new LinkedHashMap<>(f.environment()), stats);
  }

  /** Job counts as the views show them: by status name, in the statuses' order. */
  public static Map<String, Long> counts(Map<JobStatus, Long> byStatus) {
    Map<String, Long> counts = new LinkedHashMap<>();
    byStatus.forEach((status, n) -> counts.put(status.name(), n));
    return counts;
  }

  static String iso(Instant t) {
    return t == null ? null : t.toString();
  }
}
