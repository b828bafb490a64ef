package io.spool.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Net changes of a function's job counts per status, as one writer made them. The function master keeps one such
 * node and the clients another; their sum is the function's job statistics, so reading them never scans jobs.
 */
public final class StatusCounts {

  private final EnumMap<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);

  public StatusCounts() {}

  /** Counts a job moving from {@code from} (null: a new job) to {@code to} (null: a deleted job). */
  public StatusCounts move(JobStatus from, JobStatus to) {
    if (from == to) {
      return this;
    }
    if (from != null) {
      add(from, -1);
    }
    if (to != null) {
      add(to, 1);
    }
    return this;
  }

  public StatusCounts add(JobStatus status, long n) {
    counts.merge(status, n, Long::sum);
    return this;
  }

  public StatusCounts plus(StatusCounts other) {
    StatusCounts sum = new StatusCounts();
    counts.forEach(sum::add);
    other.counts.forEach(sum::add);
    return sum;
  }

  public boolean isEmpty() {
    return counts.values().stream().allMatch(n -> n == 0);
  }

  public long get(JobStatus status) {
    return counts.getOrDefault(status, 0L);
  }

  /** Every status with its count (zero where none). */
  public Map<JobStatus, Long> asMap() {
    EnumMap<JobStatus, Long> all = new EnumMap<>(JobStatus.class);
    for (JobStatus s : JobStatus.values()) {
      all.put(s, get(s));
    }
    return Collections.unmodifiableMap(all);
  }

  public byte[] toBytes() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    counts.forEach((s, n) -> {
      if (n != 0) {
        node.put(s.name(), n);
      }
    });
    return Json.toBytes(node);
  }

  public static StatusCounts fromBytes(byte[] bytes) {
    StatusCounts c = new StatusCounts();
    if (bytes != null && bytes.length > 0) {
      JsonNode node = Json.tree(bytes);
      node.fields().forEachRemaining(e -> c.add(JobStatus.valueOf(e.getKey()), e.getValue().asLong()));
    }
    return c;
  }

  @Override
  public String toString() {
    return counts.toString();
  }
}
