package io.spool.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a function's submission log: the jobs that went in together — a range of new job numbers, or the
 * numbers of jobs put back to PENDING by a rerun.
 *
 * @param name the entry's znode name
 * @param first the first job number of a range
 * @param count how many consecutive job numbers (or how many listed numbers)
 * @param numbers the listed job numbers of a rerun; empty for a range
 */
public record Submission(String name, long first, int count, List<Long> numbers) {

  /** A range of new jobs. */
  public Submission(String name, long first, int count) {
    this(name, first, count, List.of());
  }

  /** A rerun of listed jobs. */
  public static Submission rerun(String name, List<Long> numbers) {
    return new Submission(name, numbers.isEmpty() ? 0 : numbers.get(0), numbers.size(), List.copyOf(numbers));
  }

  public boolean isRerun() {
    return !numbers.isEmpty();
  }

  public long end() {
    return first + count;
  }

  /** Parses an entry's data: {@code {"first":..,"count":..}} or {@code {"numbers":[..]}}. */
  public static Submission parse(String name, byte[] data) {
    JsonNode node = Json.tree(data);
    if (node.has("numbers")) {
      List<Long> numbers = new ArrayList<>();
      node.get("numbers").forEach(n -> numbers.add(n.asLong()));
      return rerun(name, numbers);
    }
    return new Submission(name, node.get("first").asLong(), node.get("count").asInt());
  }
}
