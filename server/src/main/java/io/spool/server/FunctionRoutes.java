package io.spool.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Completions;
import io.spool.client.Function;
import io.spool.client.FunctionSearch;
import io.spool.client.FunctionSpec;
import io.spool.client.Job;
import io.spool.client.JobSearch;
import io.spool.client.view.FunctionView;
import io.spool.client.view.JobView;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The API's functions: create, list, read, change, start/stop, delete; their jobs' submission, search and waits. */
final class FunctionRoutes {

  /** The attributes a PUT of a function may change. */
  static final Set<String> MUTABLE = Set.of("name", "cpus", "memory", "maximumConcurrency", "timeout", "retryCount",
      "jobProcess", "maxJobsPerProcess", "environment", "enabled", "autoStart", "queue", "priority", "nodeLabel");
  private static final int MAX_PAGE_SIZE = 1_000;
  private static final int COMPLETIONS_LIMIT = 5_000;

  private final ServerSettings settings;
  private final Bundles bundles;
  private final Operations operations;

  FunctionRoutes(ServerSettings settings, Bundles bundles, Operations operations) {
    this.settings = settings;
    this.bundles = bundles;
    this.operations = operations;
  }

  void register(Router r) {
    r.add("GET", "/functions", "List or search your functions (filters, sort, pages)", this::list);
    r.add("POST", "/functions", "Create a function from a spec and, optionally, an uploaded bundle", this::create);
    r.add("PUT", "/bundles/{bundleId}", "Upload a bundle: a zip of the function's files", this::upload);
    r.add("GET", "/functions/{functionId}", "A function, with its job counts per status", this::get);
    r.add("PUT", "/functions/{functionId}", "Change a function's mutable attributes", this::update);
    r.add("DELETE", "/functions/{functionId}", "Delete a function, its jobs and logs (results unless asked)",
        this::delete);
    r.add("PUT", "/functions/{functionId}/actions/{action}", "start, stop, enable, disable or delete a function",
        this::action);
    r.add("GET", "/functions/{functionId}/build-log", "The function's build log", this::buildLog);
    r.add("GET", "/functions/{functionId}/statistics", "Job counts per status (no scan)", this::statistics);
    r.add("GET", "/functions/{functionId}/jobs", "Search the function's jobs (filters, sort, keyset pages)",
        this::jobs);
    r.add("POST", "/functions/{functionId}/jobs", "Submit one or many jobs", this::submitOnce);
    r.add("PUT", "/functions/{functionId}/batches/{batchId}", "Submit jobs idempotently: the same batch id again "
        + "returns the first submission's jobs", this::submitBatch);
    r.add("PUT", "/functions/{functionId}/operations/{requestId}", "Rerun, cancel or delete jobs by ids or by a "
        + "search (idempotent per request id)", this::operation);
    r.add("GET", "/functions/{functionId}/completions", "Long-poll: the jobs that ended after a cursor",
        this::completions);
    r.add("GET", "/functions/{functionId}/events", "Server-sent events: job counts and the jobs that end",
        this::events);
    r.add("GET", "/functions/{functionId}/wait", "Long-poll: until none of the function's jobs is pending or running",
        this::await);
    r.add("GET", "/functions/{functionId}/charts", "Completions over time and runtime and memory distributions",
        this::charts);
  }

  private Object list(Call call) {
    FunctionSearch search = Function.search(call.spool()).owner(call.user());
    List<FunctionStatus> statuses = Params.enumValues(FunctionStatus.class, call.queryList("status"), "status");
    if (!statuses.isEmpty()) {
      search.status(statuses.get(0), statuses.subList(1, statuses.size()).toArray(FunctionStatus[]::new));
    }
    if (call.query("name") != null) {
      search.nameContains(call.query("name"));
    }
    if (call.query("sort") != null) {
      search.sortBy(Params.enumValue(FunctionSearch.Sort.class, call.query("sort"), "sort"), Params.ascending(call));
    } else if (!Params.ascending(call)) {
      search.sortBy(FunctionSearch.Sort.CREATION_DATE, false);
    }
    int page = call.intQuery("page", 0, 0, Integer.MAX_VALUE);
    int size = call.intQuery("pageSize", 50, 1, MAX_PAGE_SIZE);
    List<FunctionView> items = new ArrayList<>();
    search.page(page, size).forEach(f -> items.add(FunctionView.of(f, true)));
    return numberedPage(items, search.count(), page, size);
  }

  /** A page of a search that pages by number: its items, the matches in all, and where it is. */
  static Map<String, Object> numberedPage(List<?> items, long total, int page, int size) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("items", items);
    reply.put("total", total);
    reply.put("page", page);
    reply.put("pageSize", size);
    return reply;
  }

  private Object create(Call call) throws IOException {
    ObjectNode spec = (ObjectNode) call.jsonObject(settings.jsonBodyMaxBytes());
    JsonNode bundle = spec.remove("bundle");
    if (bundle != null && !bundle.isTextual()) {
      throw ApiException.badRequest("bundle", "'bundle' must be the id of an uploaded bundle");
    }
    Path dir = bundle == null ? java.nio.file.Files.createTempDirectory("spool-server-spec-")
        : bundles.unpack(call.user(), bundle.asText());
    try {
      Function f = FunctionSpec.of("the function spec", dir, spec).builder(call.spool()).build().save();
      if (bundle != null) {
        bundles.remove(call.user(), bundle.asText());
      }
      return new Reply(201, "application/json", Json.values().writeValueAsBytes(FunctionView.of(f, true)), null);
    } finally {
      Bundles.deleteTree(dir);
    }
  }

  private Object upload(Call call) throws IOException {
    String id = call.path("bundleId");
    int files = bundles.put(call.user(), id, call.bodyBytes(settings.uploadMaxBytes()));
    return Map.of("bundle", id, "files", files);
  }

  private Object get(Call call) {
    return FunctionView.of(Access.function(call, call.path("functionId")), true);
  }

  private Object update(Call call) throws IOException {
    Function f = Access.function(call, call.path("functionId"));
    JsonNode body = call.jsonObject(settings.jsonBodyMaxBytes());
    for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!MUTABLE.contains(key)) {
        throw ApiException.badRequest(key, "'" + key + "' cannot be changed; the mutable attributes are "
            + new java.util.TreeSet<>(MUTABLE));
      }
    }
    FunctionSpec values = FunctionSpec.of("the update", Path.of("."), withoutEnabled(body));
    Function.Update update = f.update();
    boolean changes = false;
    for (String key : MUTABLE) {
      if (!body.has(key) || key.equals("enabled")) {
        continue;
      }
      changes = true;
      try {
        switch (key) {
          case "name" -> update.name(values.text(key));
          case "cpus" -> update.cpus(values.text(key));
          case "memory" -> update.memory(values.text(key));
          case "maximumConcurrency" -> update.maximumConcurrency(Params.integer(body, key));
          case "timeout" -> update.timeout(Params.integer(body, key));
          case "retryCount" -> update.retryCount(Params.integer(body, key));
          case "jobProcess" -> update.jobProcess(io.spool.core.model.JobProcess.parse(values.text(key)));
          case "maxJobsPerProcess" -> update.maxJobsPerProcess(Params.integer(body, key));
          case "environment" -> update.environment(values.environment());
          case "autoStart" -> update.autoStart(Params.bool(body, key, true));
          case "queue" -> update.queue(values.text(key));
          case "priority" -> update.priority(Params.integer(body, key));
          case "nodeLabel" -> update.nodeLabel(values.text(key));
          default -> throw new IllegalStateException(key);
        }
      } catch (ApiException e) {
        throw e;
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(key, e.getMessage());
      }
    }
    if (changes) {
      f = update.save();
    }
    if (body.has("enabled")) {
      f = Params.bool(body, "enabled", true) ? f.enable() : f.disable();
    }
    return FunctionView.of(f.refresh(), true);
  }

  private static JsonNode withoutEnabled(JsonNode body) {
    ObjectNode copy = ((ObjectNode) body).deepCopy();
    copy.remove("enabled");
    return copy;
  }

  private Object delete(Call call) {
    Access.function(call, call.path("functionId")).delete(call.boolQuery("deleteResults", false));
    return Reply.noContent();
  }

  private Object action(Call call) {
    Function f = Access.function(call, call.path("functionId"));
    switch (call.path("action")) {
      case "start" -> f.start();
      case "stop" -> f.stop();
      case "enable" -> f.enable();
      case "disable" -> f.disable();
      case "delete" -> {
        f.delete(call.boolQuery("deleteResults", false));
        return Map.of("deleted", true);
      }
      default -> throw ApiException.notFound("no function action '" + call.path("action")
          + "'; use start, stop, enable, disable or delete");
    }
    return FunctionView.of(f.refresh(), true);
  }

  private Object buildLog(Call call) {
    return Reply.text(Access.function(call, call.path("functionId")).buildLog(call.boolQuery("timestamps", true)));
  }

  private Object statistics(Call call) {
    return FunctionView.counts(Access.function(call, call.path("functionId")).jobStatistics());
  }

  private Object jobs(Call call) {
    Function f = Access.function(call, call.path("functionId"));
    JobSearch search = f.jobs();
    List<JobStatus> statuses = Params.enumValues(JobStatus.class, call.queryList("status"), "status");
    if (!statuses.isEmpty()) {
      search.status(statuses);
    }
    List<String> tags = call.queryList("tag");
    if (!tags.isEmpty()) {
      search.tags(tags.get(0), tags.subList(1, tags.size()).toArray(String[]::new));
    }
    List<String> ids = call.queryList("ids");
    if (!ids.isEmpty()) {
      search.ids(ids);
    }
    boolean filteredByMoreThanStatus = !tags.isEmpty() || !ids.isEmpty();
    if (call.query("sort") != null || !Params.ascending(call)) {
      String sort = call.query("sort") == null ? "id" : call.query("sort");
      search.sortBy(Params.enumValue(JobSearch.Sort.class, sort, "sort"), Params.ascending(call));
    }
    if (call.query("pageToken") != null) {
      try {
        search.after(call.query("pageToken"));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("pageToken", e.getMessage());
      }
    }
    int size = call.intQuery("pageSize", 50, 1, MAX_PAGE_SIZE);
    List<Job> page = search.page(0, size + 1);
    boolean more = page.size() > size;
    page = more ? page.subList(0, size) : page;
    List<JobView> items = new ArrayList<>(page.size());
    page.forEach(j -> items.add(JobView.of(j, false)));
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("items", items);
    reply.put("nextPageToken", more ? JobSearch.pageToken(page.get(page.size() - 1)) : null);
    reply.put("total", filteredByMoreThanStatus ? null : total(f.jobStatistics(), statuses));
    return reply;
  }

  private static long total(Map<JobStatus, Long> counts, List<JobStatus> statuses) {
    long n = 0;
    for (Map.Entry<JobStatus, Long> e : counts.entrySet()) {
      if (statuses.isEmpty() || statuses.contains(e.getKey())) {
        n += e.getValue();
      }
    }
    return n;
  }

  private Object submitOnce(Call call) throws IOException {
    return submit(call, null);
  }

  private Object submitBatch(Call call) throws IOException {
    return submit(call, call.path("batchId"));
  }

  /** Body: {@code {"args": [[1], [2]], "kwargs": [{}, {}], "tags": [], "environment": {}}}. */
  private Object submit(Call call, String batchId) throws IOException {
    Function f = Access.function(call, call.path("functionId"));
    JsonNode body = call.jsonObject(settings.jsonBodyMaxBytes());
    for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!Set.of("args", "kwargs", "tags", "environment").contains(key)) {
        throw ApiException.badRequest(key, "'" + key + "' is not part of a submission; give args (a list of "
            + "argument lists, one per job), and optionally kwargs, tags, environment");
      }
    }
    JsonNode args = body.get("args");
    if (args == null || !args.isArray() || args.isEmpty()) {
      throw ApiException.badRequest("args", "'args' must be a non-empty list with one list of positional "
          + "arguments per job, e.g. [[1], [2, \"x\"]]");
    }
    List<List<Object>> argsList = new ArrayList<>(args.size());
    for (JsonNode one : args) {
      if (!one.isArray()) {
        throw ApiException.badRequest("args", "each element of 'args' must be a list of positional arguments, not "
            + one);
      }
      argsList.add(Json.values().convertValue(one, List.class));
    }
    List<Map<String, Object>> kwargsList = null;
    JsonNode kwargs = body.get("kwargs");
    if (kwargs != null && !kwargs.isNull()) {
      if (!kwargs.isArray() || kwargs.size() != args.size()) {
        throw ApiException.badRequest("kwargs", "'kwargs' must be a list with one object per job (" + args.size()
            + ")");
      }
      kwargsList = new ArrayList<>();
      for (JsonNode one : kwargs) {
        if (!one.isObject()) {
          throw ApiException.badRequest("kwargs", "each element of 'kwargs' must be an object, not " + one);
        }
        kwargsList.add(Json.values().convertValue(one, Map.class));
      }
    }
    Function.Submit submit = f.submit();
    List<String> tags = Params.strings(body, "tags");
    if (!tags.isEmpty()) {
      submit.tags(tags.toArray(String[]::new));
    }
    if (body.has("environment")) {
      submit.environment(FunctionSpec.of("the submission", Path.of("."),
          Json.values().createObjectNode().set("environment", body.get("environment"))).environment());
    }
    if (batchId != null) {
      submit.idempotencyKey(batchId);
    }
    List<Job> jobs = kwargsList == null ? submit.map(argsList) : submit.map(argsList, kwargsList);
    List<String> ids = new ArrayList<>(jobs.size());
    jobs.forEach(j -> ids.add(j.id()));
    return Map.of("jobIds", ids);
  }

  private Object operation(Call call) throws IOException {
    Function f = Access.function(call, call.path("functionId"));
    JsonNode body = call.jsonObject(settings.jsonBodyMaxBytes());
    return operations.run(call.user() + "/" + f.id() + "/" + call.path("requestId"), f, body);
  }

  private Object completions(Call call) throws InterruptedException {
    Function f = Access.function(call, call.path("functionId"));
    long wait = Math.min(settings.longPollMaxMs(), call.intQuery("timeout", 20, 0, 3_600) * 1_000L);
    int limit = call.intQuery("limit", 1_000, 1, COMPLETIONS_LIMIT);
    String since = call.request().getParameter("since");
    if (since == null) {
      return completionsView(new Completions(f.completionCursor(), List.of()));
    }
    return completionsView(f.completions(since, Duration.ofMillis(wait), limit));
  }

  private static Map<String, Object> completionsView(Completions done) {
    List<JobView> jobs = new ArrayList<>(done.jobs().size());
    done.jobs().forEach(j -> jobs.add(JobView.of(j, false)));
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("cursor", done.cursor());
    reply.put("jobs", jobs);
    return reply;
  }

  /** Counts whenever they change (checked every second) and the jobs as they end, until the client leaves. */
  private Object events(Call call) throws IOException, InterruptedException {
    Function f = Access.function(call, call.path("functionId"));
    EventStream events = new EventStream(call.response());
    String since = call.request().getParameter("since");
    String cursor = since != null ? since : f.completionCursor();
    Map<JobStatus, Long> last = null;
    long end = System.nanoTime() + settings.streamMaxMs() * 1_000_000L;
    while (System.nanoTime() - end < 0) {
      Map<JobStatus, Long> counts = f.jobStatistics();
      if (!counts.equals(last)) {
        events.json("statistics", FunctionView.counts(counts));
        last = counts;
      }
      Completions done = f.completions(cursor, Duration.ofSeconds(1), COMPLETIONS_LIMIT);
      if (!done.jobs().isEmpty()) {
        events.json("completed", completionsView(done));
      }
      cursor = done.cursor();
      events.heartbeatIfIdle();
    }
    return Reply.WRITTEN;
  }

  private Object await(Call call) throws InterruptedException {
    Function f = Access.function(call, call.path("functionId"));
    long wait = Math.min(settings.longPollMaxMs(), call.intQuery("timeout", 20, 0, 3_600) * 1_000L);
    long deadline = System.nanoTime() + wait * 1_000_000L;
    String cursor = f.completionCursor();
    while (true) {
      Map<JobStatus, Long> counts = f.jobStatistics();
      boolean done = counts.get(JobStatus.PENDING) + counts.get(JobStatus.RUNNING) + counts.get(JobStatus.CANCEL)
          + counts.get(JobStatus.CANCELING) == 0;
      long left = deadline - System.nanoTime();
      if (done || left <= 0) {
        if (!done && f.refresh().status() == FunctionStatus.BUILD_FAILED && counts.get(JobStatus.PENDING) > 0) {
          throw ApiException.conflict("the build of function " + f.id() + " failed, so its pending jobs will never "
              + "run: " + f.statusReason());
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("done", done);
        reply.put("jobStatistics", FunctionView.counts(counts));
        return reply;
      }
      Completions c = f.completions(cursor, Duration.ofNanos(Math.min(left, 1_000_000_000L)), COMPLETIONS_LIMIT);
      cursor = c.cursor();
    }
  }

  private Object charts(Call call) {
    Function f = Access.function(call, call.path("functionId"));
    return Charts.of(f, call.intQuery("buckets", 60, 1, 500));
  }
}
