package io.spool.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job as ZooKeeper holds it ({@code <root>/functions/<fid>/jobs/<shard>/<n>}). Kept small: arguments larger than
 * the configured inline size live on the file system and {@link #argsFile()} points to them. Dates are epoch
 * milliseconds in the JSON; absent fields are left out.
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class JobRecord {

  private String id;
  private JobStatus status;
  private JsonNode args;
  private JsonNode kwargs;
  /** Path (relative to Spool's root on the file system) of the arguments when they are too large to inline. */
  private String argsFile;
  private Map<String, String> environment;
  private List<String> tags;
  private int executionCount;
  /** Attempts that failed by the job's own fault; retries are charged against these. */
  private int failures;
  private Integer exitCode;
  private String errorReason;
  private Double runtime;
  /** How the result of the last successful attempt is stored: {@code json} or {@code bytes}; absent for none. */
  private String resultKind;
  /** Where the result of the last successful attempt is stored: the result store's location. */
  private String result;
  /** Where each attempt's final log is stored, the log store's location, by attempt (the first at 0); null: none. */
  private List<String> logs;
  private AttemptStatistics statistics;
  private long creationDate;
  private long lastExecutionDate;
  private long lastCompletionDate;

  public JobRecord() {}

  public String id() { return id; }
  public JobRecord id(String id) { this.id = id; return this; }

  public String functionId() { return JobId.functionId(id); }

  public JobStatus status() { return status; }
  public JobRecord status(JobStatus status) { this.status = status; return this; }

  public JsonNode args() { return args; }
  public JobRecord args(JsonNode args) { this.args = args; return this; }

  public JsonNode kwargs() { return kwargs; }
  public JobRecord kwargs(JsonNode kwargs) { this.kwargs = kwargs; return this; }

  public String argsFile() { return argsFile; }
  public JobRecord argsFile(String argsFile) { this.argsFile = argsFile; return this; }

  public Map<String, String> environment() { return environment == null ? Map.of() : environment; }
  public JobRecord environment(Map<String, String> env) {
    this.environment = env == null || env.isEmpty() ? null : new LinkedHashMap<>(env);
    return this;
  }

  public List<String> tags() { return tags == null ? List.of() : tags; }
  public JobRecord tags(List<String> tags) {
    this.tags = tags == null || tags.isEmpty() ? null : new ArrayList<>(tags);
    return this;
  }

  public int executionCount() { return executionCount; }
  public JobRecord executionCount(int n) { this.executionCount = n; return this; }

  public int failures() { return failures; }
  public JobRecord failures(int n) { this.failures = n; return this; }

  public Integer exitCode() { return exitCode; }
  public JobRecord exitCode(Integer exitCode) { this.exitCode = exitCode; return this; }

  public String errorReason() { return errorReason; }
  public JobRecord errorReason(String reason) { this.errorReason = reason; return this; }

  public Double runtime() { return runtime; }
  public JobRecord runtime(Double seconds) { this.runtime = seconds; return this; }

  public String resultKind() { return resultKind; }
  public JobRecord resultKind(String kind) { this.resultKind = kind; return this; }

  /** The result store's location of the result; null for none, or for a record from before locations. */
  public String resultLocation() { return result; }
  public JobRecord resultLocation(String location) { this.result = location; return this; }

  /** The log store's location of an attempt's (1-based) final log; null if the record names none. */
  public String logLocation(int attempt) {
    return logs == null || attempt < 1 || attempt > logs.size() ? null : logs.get(attempt - 1);
  }

  /** Records where an attempt's (1-based) final log is stored. */
  public JobRecord logLocation(int attempt, String location) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1, not " + attempt);
    }
    if (location == null && logLocation(attempt) == null) {
      return this;
    }
    if (logs == null) {
      logs = new ArrayList<>();
    }
    while (logs.size() < attempt) {
      logs.add(null);
    }
    logs.set(attempt - 1, location);
    return this;
  }

  /** Resource use of the last attempt, if it ran. */
  public AttemptStatistics statistics() { return statistics; }
  public JobRecord statistics(AttemptStatistics s) { this.statistics = s; return this; }

  public Instant creationDate() { return instant(creationDate); }
  public JobRecord creationDate(Instant t) { this.creationDate = millis(t); return this; }

  public Instant lastExecutionDate() { return instant(lastExecutionDate); }
  public JobRecord lastExecutionDate(Instant t) { this.lastExecutionDate = millis(t); return this; }

  public Instant lastCompletionDate() { return instant(lastCompletionDate); }
  public JobRecord lastCompletionDate(Instant t) { this.lastCompletionDate = millis(t); return this; }

  /** Moves to {@code next} if the status table allows it; throws {@link IllegalTransitionException} otherwise. */
  public JobRecord transition(JobStatus next) {
    JobStatus.TRANSITIONS.check("job " + id, status, next);
    this.status = next;
    return this;
  }

  private static Instant instant(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis);
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }

  @Override
  public String toString() {
    return "Job " + id + " " + status;
  }
}
