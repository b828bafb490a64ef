package io.spool.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.Function;
import io.spool.client.JobSearch;
import io.spool.core.model.JobId;
import io.spool.core.model.JobStatus;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bulk rerun, cancel and delete of a function's jobs, by ids or by a search, as one PUT that the web proxy passes:
 * {@code {"verb": "rerun", "jobIds": [...]}} or {@code {"verb": "cancel", "filter": {"status": ["PENDING"],
 * "tags": ["t"]}}}, with {@code "dryRun": true} to count only. A request id seen before gets the first reply again
 * (the last {@value #REMEMBERED} requests are remembered), so a retried request does not act twice.
 */
final class Operations {

  static final int REMEMBERED = 10_000;
  private static final Set<String> KEYS = Set.of("verb", "jobIds", "filter", "dryRun", "deleteResults");
  private static final Set<String> FILTER_KEYS = Set.of("status", "tags", "ids");

  private final Map<String, Map<String, Object>> replies = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
      return size() > REMEMBERED;
    }
  };

  /** Runs the operation {@code body} once per {@code key}; returns what it did. */
  Map<String, Object> run(String key, Function f, JsonNode body) {
    synchronized (replies) {
      Map<String, Object> earlier = replies.get(key);
      if (earlier != null) {
        return earlier;
      }
    }
    for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
      String k = keys.next();
      if (!KEYS.contains(k)) {
        throw ApiException.badRequest(k, "'" + k + "' is not part of an operation; use " + new TreeSet<>(KEYS));
      }
    }
    String verb = body.path("verb").asText("");
    if (!Set.of("rerun", "cancel", "delete").contains(verb)) {
      throw ApiException.badRequest("verb", "'verb' must be rerun, cancel or delete, not '" + verb + "'");
    }
    JobSearch search = search(f, body);
    boolean dryRun = Params.bool(body, "dryRun", false);
    long matched = search.count();
    long affected = 0;
    if (!dryRun) {
      affected = switch (verb) {
        case "rerun" -> f.rerun(search).size();
        case "cancel" -> f.cancelJobs(search).size();
        default -> f.deleteJobs(search, Params.bool(body, "deleteResults", false));
      };
    }
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("verb", verb);
    reply.put("matched", matched);
    reply.put("affected", affected);
    reply.put("dryRun", dryRun);
    if (!dryRun) {
      synchronized (replies) {
        replies.put(key, reply);
      }
    }
    return reply;
  }

  private static JobSearch search(Function f, JsonNode body) {
    JobSearch search = f.jobs();
    JsonNode filter = body.get("filter");
    boolean byIds = body.has("jobIds");
    if (byIds == (filter != null)) {
      throw ApiException.badRequest("jobIds", "give either 'jobIds' (a list of job ids) or 'filter' (an object "
          + "with status, tags or ids; {} for every job of the function)");
    }
    if (byIds) {
      List<String> ids = Params.strings(body, "jobIds");
      checkIds(f, ids, "jobIds");
      return search.ids(ids);
    }
    if (!filter.isObject()) {
      throw ApiException.badRequest("filter", "'filter' must be an object with status, tags or ids");
    }
    for (Iterator<String> keys = filter.fieldNames(); keys.hasNext(); ) {
      String k = keys.next();
      if (!FILTER_KEYS.contains(k)) {
        throw ApiException.badRequest("filter." + k, "'" + k + "' is not a job filter; use status, tags or ids");
      }
    }
    List<JobStatus> statuses = Params.enumValues(JobStatus.class, Params.strings(filter, "status"), "filter.status");
    if (!statuses.isEmpty()) {
      search.status(statuses);
    }
    List<String> tags = Params.strings(filter, "tags");
    if (!tags.isEmpty()) {
      search.tags(tags.get(0), tags.subList(1, tags.size()).toArray(String[]::new));
    }
    if (filter.has("ids")) {
      List<String> ids = Params.strings(filter, "ids");
      checkIds(f, ids, "filter.ids");
      search.ids(ids);
    }
    return search;
  }

  private static void checkIds(Function f, List<String> ids, String field) {
    for (String id : ids) {
      if (!id.startsWith(f.id() + "-")) {
        throw ApiException.badRequest(field, "job '" + id + "' is not a job of function " + f.id());
      }
      try {
        JobId.number(id);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(field, e.getMessage());
      }
    }
  }
}
