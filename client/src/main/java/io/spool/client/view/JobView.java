package io.spool.client.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.Job;
import io.spool.core.model.AttemptStatistics;
import java.util.List;
import java.util.Map;

/**
 * A job as {@code spool job get --json} prints it and {@code GET /api/v1/jobs/{id}} returns it.
 *
 * @param resultKind how its result is stored ({@code json} or {@code bytes}), null if it has none
 * @param args its positional arguments, or null where they were not asked for (lists leave them out)
 * @param kwargs its keyword arguments, or null where they were not asked for
 */
public record JobView(String id, String functionId, String status, int executionCount, Integer exitCode,
    String errorReason, Double runtime, List<String> tags, String creationDate, String lastExecutionDate,
    String lastCompletionDate, Map<String, String> environment, Statistics statistics, String resultKind,
    JsonNode args, JsonNode kwargs) {

  /** The view of a job as last read; its arguments too if {@code withArguments} (which may read the file system). */
  public static JobView of(Job job, boolean withArguments) {
    return new JobView(job.id(), job.functionId(), job.status().name(), job.executionCount(), job.exitCode(),
        job.errorReason(), job.runtime(), List.copyOf(job.tags()), FunctionView.iso(job.creationDate()),
        FunctionView.iso(job.lastExecutionDate()), FunctionView.iso(job.lastCompletionDate()),
        Map.copyOf(job.environment()), job.statistics().map(Statistics::of).orElse(null),
        job.resultKind().orElse(null), withArguments ? job.args() : null, withArguments ? job.kwargs() : null);
  }

  /** Resource use of the job's last attempt. */
  public record Statistics(double cpuSeconds, double cpuPercent, long peakMemoryBytes, long averageMemoryBytes) {
    static Statistics of(AttemptStatistics s) {
      return new Statistics(s.cpuSeconds(), s.cpuPercent(), s.peakMemoryBytes(), s.averageMemoryBytes());
    }
  }
}
