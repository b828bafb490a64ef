package io.spool.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a function's completion log: the numbers of the jobs that reached a terminal status in one write
 * (a master's group commit, or a client's cancel of a pending job). Clients waiting on many jobs read these entries
 * instead of polling every job.
 *
 * @param name the entry's znode name; names sort in the order the entries were written
 * @param numbers the job numbers
 */
public record Completion(String name, List<Long> numbers) {

  /** The data of an entry: a JSON array of job numbers. */
  static byte[] encode(List<Long> numbers) {
    StringBuilder json = new StringBuilder(numbers.size() * 6 + 2).append('[');
    for (int i = 0; i < numbers.size(); i++) {
      json.append(i == 0 ? "" : ",").append(numbers.get(i));
    }
    return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  static Completion parse(String name, byte[] data) {
    JsonNode node = Json.tree(data);
    List<Long> numbers = new ArrayList<>(node.size());
    node.forEach(n -> numbers.add(n.asLong()));
    return new Completion(name, numbers);
  }
}
