package io.spool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import io.spool.server.SpoolServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Spool server's REST API against the Java client in the same run: jobs/s of a map sent as idempotent batches
 * over HTTP (to a STOPPED function, so that nothing runs meanwhile) against {@code Function.map}, and how long after
 * a job ended a client learns of it through the completions long-poll against {@code Job.waitForCompletion}.
 */
final class RestWorkload {

  /** Jobs per HTTP batch, as the Python client sends them. */
  static final int BATCH = 1000;
  /** Jobs mapped per repetition: a fifth of the submission workload's, at least one batch. */
  private static final int MAP_SHARE = 5;

  private RestWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    int m = Math.max(BATCH, ctx.options.mapJobs() / MAP_SHARE);
    List<List<Object>> args = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      args.add(List.of(i));
    }
    List<Double> restRates = new ArrayList<>();
    List<Double> javaRates = new ArrayList<>();
    List<Double> restSeen = new ArrayList<>();
    List<Double> javaSeen = new ArrayList<>();
    List<List<Double>> restSamples = new ArrayList<>();
    List<List<Double>> javaSamples = new ArrayList<>();
    try (SpoolServer server = SpoolServer.start(ctx.conf, new InetSocketAddress("127.0.0.1", 0))) {
      Rest rest = new Rest(server.uri(), ctx.spool.user());
      for (int r = 0; r < ctx.options.repetitions(); r++) {
        Function viaRest = ctx.track(ctx.burnFunction(1).autoStart(false).build().save());
        Function viaJava = ctx.track(ctx.burnFunction(1).autoStart(false).build().save());
        BenchContext.awaitBuilt(viaRest);
        BenchContext.awaitBuilt(viaJava);
        long start = System.nanoTime();
        for (int from = 0; from < m; from += BATCH) {
          rest.put("functions/" + viaRest.id() + "/batches/r" + r + "-" + from,
              Map.of("args", args.subList(from, Math.min(m, from + BATCH))));
        }
        restRates.add(m / BenchContext.seconds(start));
        start = System.nanoTime();
        viaJava.map(args);
        javaRates.add(m / BenchContext.seconds(start));

        Function warm = ctx.track(ctx.burnFunction(1).build().save());
        once(warm, rest, true);
        List<Double> restMs = new ArrayList<>();
        List<Double> javaMs = new ArrayList<>();
        for (int i = 0; i < ctx.options.latencyJobs(); i++) {
          restMs.add(once(warm, rest, true));
          javaMs.add(once(warm, rest, false));
        }
        restSamples.add(restMs);
        javaSamples.add(javaMs);
        restSeen.add(Measurement.percentile(restMs, 50));
        javaSeen.add(Measurement.percentile(javaMs, 50));
        ctx.progress("  rest %d/%d: map over HTTP %.0f jobs/s (Java %.0f); ended → seen p50 %.1f ms (Java %.1f ms)",
            r + 1, ctx.options.repetitions(), restRates.get(r), javaRates.get(r), restSeen.get(r), javaSeen.get(r));
        ctx.deleteFunctions();
      }
    }
    return List.of(
        new Measurement("rest", "map of " + m + " jobs over HTTP (batches of " + BATCH + ")", "jobs/s", restRates,
            "Java client map", javaRates, Map.of()),
        new Measurement("rest", "job ended → seen, p50 (" + ctx.options.latencyJobs() + " jobs, completions "
            + "long-poll)", "ms", restSeen, "Java waitForCompletion", javaSeen,
            Map.of("restMs", restSamples, "javaMs", javaSamples)));
  }

  /**
   * Submits one job and waits for it, through the completions long-poll or the Java client; returns the
   * milliseconds from the end its record notes (the master's clock, on this machine) to the client seeing it.
   */
  private static double once(Function f, Rest rest, boolean overHttp) throws Exception {
    String cursor = overHttp ? rest.get("functions/" + f.id() + "/completions").get("cursor").asText() : null;
    Job job = f.call(1);
    long seen;
    if (overHttp) {
      boolean found = false;
      while (!found) {
        JsonNode done = rest.get("functions/" + f.id() + "/completions?timeout=20&since="
            + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        cursor = done.get("cursor").asText();
        for (JsonNode j : done.get("jobs")) {
          found |= j.get("id").asText().equals(job.id());
        }
      }
      seen = System.currentTimeMillis();
    } else {
      job.waitForCompletion(BenchContext.TIMEOUT);
      seen = System.currentTimeMillis();
    }
    if (job.refresh().status() != JobStatus.SUCCESS) {
      throw new IllegalStateException("job " + job.id() + " ended " + job.status() + ": " + job.errorReason());
    }
    return seen - job.lastCompletionDate().toEpochMilli();
  }

  /** The API over HTTP, as the user the benchmark runs as. */
  private record Rest(URI base, String user) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    JsonNode get(String path) throws Exception {
      return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode put(String path, Object body) throws Exception {
      return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.values().writeValueAsBytes(body))));
    }

    private URI uri(String path) {
      return base.resolve("api/v1/" + path + (path.contains("?") ? "&" : "?") + "user.name="
          + URLEncoder.encode(user, StandardCharsets.UTF_8));
    }

    private static JsonNode send(HttpRequest.Builder request) throws Exception {
      HttpResponse<byte[]> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(r.request().method() + " " + r.uri() + " answered " + r.statusCode() + ": "
            + new String(r.body(), StandardCharsets.UTF_8));
      }
      return Json.values().readTree(r.body());
    }
  }
}
