package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.config.SpoolConfig;
import io.spool.local.SpoolClusterExtension;
import io.spool.server.SpoolServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REST API on the embedded cluster, called over HTTP as a program outside the JVM would: every endpoint, its
 * errors (400 naming the field, 401, 403, 404, 405, 409), idempotent batches and operations, waiting without
 * polling each job, and a user refused another user's data.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ServerApiTest {

  private static final String ME = System.getProperty("user.name");

  private SpoolServer server;
  private HttpCalls api;
  private String fid;

  @BeforeAll
  void start(Configuration clusterConf) throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    conf.unset(SpoolConfig.SERVER_DEFAULT_USER);
    server = SpoolServer.start(conf, new InetSocketAddress("127.0.0.1", 0));
    api = new HttpCalls(server.uri(), ME);
    fid = createCalc(api, "calc-" + UUID.randomUUID().toString().substring(0, 6), 2);
  }

  @AfterAll
  void stop() throws Exception {
    if (fid != null) {
      api.put("api/v1/functions/" + fid + "/actions/stop", Map.of());
    }
    server.close();
  }

  /** Uploads calc.py as a bundle and creates a function of {@code calc.py:square} from it; returns its id. */
  static String createCalc(HttpCalls api, String name, int concurrency) throws Exception {
    String bundle = "b-" + UUID.randomUUID();
    HttpCalls.Reply upload = api.putBytes("api/v1/bundles/" + bundle, "application/zip",
        zip(Map.of("calc.py", Files.readString(Paths.get(TestSetup.python("server/calc.py"))))));
    assertEquals(200, upload.status(), upload.toString());
    assertEquals(1, upload.json().get("files").asInt());
    HttpCalls.Reply created = api.post("api/v1/functions", Map.of("entrypoint", "calc.py:square", "bundle", bundle,
        "name", name, "memory", "256Mi", "maximumConcurrency", concurrency, "retryCount", 0));
    assertEquals(201, created.status(), created.toString());
    JsonNode f = created.json();
    assertEquals(name, f.get("name").asText());
    assertEquals("calc.py:square", f.get("entrypoint").asText(), "the entrypoint as the spec wrote it");
    assertEquals(256, f.get("memory").asInt());
    assertEquals(0, f.get("jobStatistics").get("PENDING").asInt());
    return f.get("id").asText();
  }

  static byte[] zip(Map<String, String> files) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        out.putNextEntry(new ZipEntry(f.getKey()));
        out.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private List<String> submit(String batch, Object body) throws Exception {
    HttpCalls.Reply r = batch == null ? api.post("api/v1/functions/" + fid + "/jobs", body)
        : api.put("api/v1/functions/" + fid + "/batches/" + batch, body);
    assertEquals(200, r.status(), r.toString());
    List<String> ids = new ArrayList<>();
    r.json().get("jobIds").forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** Waits through the API's long-poll until nothing of the function is pending or running. */
  private JsonNode awaitDone() throws Exception {
    for (int i = 0; i < 20; i++) {
      HttpCalls.Reply r = api.get("api/v1/functions/" + fid + "/wait?timeout=20");
      assertEquals(200, r.status(), r.toString());
      if (r.json().get("done").asBoolean()) {
        return r.json().get("jobStatistics");
      }
    }
    throw new AssertionError("function " + fid + " did not finish its jobs");
  }

  private JsonNode job(String id) throws Exception {
    HttpCalls.Reply r = api.get("api/v1/jobs/" + id);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  @Test
  void jobsSubmittedInIdempotentBatchesRunAndTheirResultsLogsAndBlobsAreServed() throws Exception {
    String batch = "batch-" + UUID.randomUUID();
    Map<String, Object> body = Map.of("args", List.of(List.of(2), List.of(3)), "tags", List.of("api"));
    List<String> ids = submit(batch, body);
    assertEquals(2, ids.size());
    assertEquals(ids, submit(batch, body), "the same batch id again creates nothing");
    List<String> more = submit(null, Map.of("args", List.of(List.of()), "kwargs", List.of(Map.of("x", 4))));
    awaitDone();

    JsonNode two = job(ids.get(0));
    assertEquals("SUCCESS", two.get("status").asText());
    assertEquals("[2]", two.get("args").toString());
    assertEquals("[\"api\"]", two.get("tags").toString());
    assertEquals("json", two.get("resultKind").asText());
    assertNotNull(two.get("statistics"));
    assertEquals("{\"x\":4}", job(more.get(0)).get("kwargs").toString());

    HttpCalls.Reply result = api.get("api/v1/jobs/" + ids.get(1) + "/result");
    assertEquals(200, result.status());
    assertTrue(result.contentType().startsWith("application/json"), result.contentType());
    assertEquals(9, result.json().asInt());
    assertEquals(16, api.get("api/v1/jobs/" + more.get(0) + "/result").json().asInt());
    HttpCalls.Reply download = api.get("api/v1/jobs/" + ids.get(1) + "/result/data");
    assertTrue(download.raw().headers().firstValue("Content-Disposition").orElse("").contains("attachment"));

    HttpCalls.Reply log = api.get("api/v1/jobs/" + ids.get(0) + "/log");
    assertTrue(log.text().contains("square of 2"), log.text());
    assertTrue(log.text().matches("(?s)\\d{4}-\\d\\d-\\d\\dT.*"), "lines start with their time: " + log.text());
    assertEquals("square of 2\n", api.get("api/v1/jobs/" + ids.get(0) + "/log?attempt=1&timestamps=false").text());
    HttpCalls.Reply badAttempt = api.get("api/v1/jobs/" + ids.get(0) + "/log?attempt=7");
    assertEquals(400, badAttempt.status());
    assertEquals("attempt", badAttempt.field());

    HttpCalls.Reply blobs = api.get("api/v1/blobs?functionId=" + fid + "&pageSize=1000");
    assertEquals(200, blobs.status(), blobs.toString());
    Set<String> names = new HashSet<>();
    blobs.json().get("items").forEach(b -> names.add(b.get("name").asText()));
    assertTrue(names.contains(fid + "/" + ids.get(0)), names.toString());
    HttpCalls.Reply meta = api.get("api/v1/blobs/" + fid + "/" + ids.get(0));
    assertEquals("json", meta.json().get("kind").asText());
    assertEquals("4", api.get("api/v1/blobs/" + fid + "/" + ids.get(0) + "/data").text());
    assertEquals(204, api.delete("api/v1/blobs/" + fid + "/" + ids.get(0)).status());
    assertEquals(404, api.get("api/v1/blobs/" + fid + "/" + ids.get(0)).status());
    assertEquals(404, api.delete("api/v1/blobs/" + fid + "/" + ids.get(0)).status());
  }

  @Test
  void completionsAreFollowedFromACursorWithoutPollingEachJob() throws Exception {
    HttpCalls.Reply start = api.get("api/v1/functions/" + fid + "/completions");
    assertEquals(200, start.status(), start.toString());
    assertEquals(0, start.json().get("jobs").size());
    String cursor = start.json().get("cursor").asText();
    List<String> ids = submit(null, Map.of("args", List.of(List.of(5), List.of(6))));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10 && seen.size() < 2; i++) {
      HttpCalls.Reply r = api.get("api/v1/functions/" + fid + "/completions?timeout=20&since=" + cursor);
      assertEquals(200, r.status(), r.toString());
      r.json().get("jobs").forEach(j -> seen.add(j.get("id").asText()));
      cursor = r.json().get("cursor").asText();
    }
    assertTrue(seen.containsAll(ids), seen + " lacks some of " + ids);
  }

  @Test
  void eventsStreamTheCountsAndTheJobsThatEnd() throws Exception {
    String cursor = api.get("api/v1/functions/" + fid + "/completions").json().get("cursor").asText();
    List<String> ids = submit(null, Map.of("args", List.of(List.of(7))));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<java.util.stream.Stream<String>> stream = http.send(
        java.net.http.HttpRequest.newBuilder(api.uri("api/v1/functions/" + fid + "/events?since=" + cursor))
            .header("Accept", "text/event-stream").build(),
        java.net.http.HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    boolean statistics = false;
    boolean completed = false;
    String event = null;
    try (java.util.stream.Stream<String> lines = stream.body()) {
      for (java.util.Iterator<String> it = lines.iterator(); it.hasNext() && !(statistics && completed); ) {
        String line = it.next();
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ") && "statistics".equals(event)) {
          statistics |= line.contains("\"SUCCESS\"");
        } else if (line.startsWith("data: ") && "completed".equals(event)) {
          completed |= line.contains(ids.get(0));
        }
      }
    }
    assertTrue(statistics && completed, "statistics " + statistics + ", completed " + completed);
  }

  @Test
  void jobsArePagedWithKeysetTokensFilteredBeforeTheLimitAndCountedFromCounters() throws Exception {
    String tag = "page-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = submit(null, Map.of("args", List.of(List.of(1), List.of(2), List.of(3), List.of(4),
        List.of(5)), "tags", List.of(tag)));
    List<String> paged = new ArrayList<>();
    String token = null;
    do {
      HttpCalls.Reply page = api.get("api/v1/functions/" + fid + "/jobs?pageSize=2&tag=" + tag
          + (token == null ? "" : "&pageToken=" + token));
      assertEquals(200, page.status(), page.toString());
      assertTrue(page.json().get("items").size() <= 2);
      assertTrue(page.json().get("total").isNull(), "a tag filter has no counter");
      page.json().get("items").forEach(j -> paged.add(j.get("id").asText()));
      token = page.json().get("nextPageToken").isNull() ? null : page.json().get("nextPageToken").asText();
    } while (token != null);
    assertEquals(ids, paged);
    awaitDone();
    HttpCalls.Reply desc = api.get("api/v1/functions/" + fid + "/jobs?tag=" + tag + "&sort=id&order=desc&pageSize=3");
    assertEquals(ids.get(4), desc.json().get("items").get(0).get("id").asText());
    HttpCalls.Reply successes = api.get("api/v1/functions/" + fid + "/jobs?status=SUCCESS&pageSize=1");
    long counted = api.get("api/v1/functions/" + fid + "/statistics").json().get("SUCCESS").asLong();
    assertEquals(counted, successes.json().get("total").asLong());
    HttpCalls.Reply badToken = api.get("api/v1/functions/" + fid + "/jobs?pageToken=garbage");
    assertEquals(400, badToken.status());
    assertEquals("pageToken", badToken.field());
    HttpCalls.Reply badStatus = api.get("api/v1/functions/" + fid + "/jobs?status=DONE");
    assertEquals(400, badStatus.status());
    assertEquals("status", badStatus.field());
    HttpCalls.Reply badSort = api.get("api/v1/functions/" + fid + "/jobs?sort=colour");
    assertEquals("sort", badSort.field());
  }

  @Test
  void failedJobsAreRerunByASearchOnceForARequestId() throws Exception {
    String tag = "neg-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = submit(null, Map.of("args", List.of(List.of(-1), List.of(-2)), "tags", List.of(tag)));
    awaitDone();
    assertEquals("FAILURE", job(ids.get(0)).get("status").asText());
    assertTrue(job(ids.get(0)).get("errorReason").asText().contains("negative input"));
    Map<String, Object> rerun = Map.of("verb", "rerun", "filter", Map.of("status", List.of("FAILURE"),
        "tags", List.of(tag)));
    HttpCalls.Reply dry = api.put("api/v1/functions/" + fid + "/operations/" + UUID.randomUUID(),
        Map.of("verb", "rerun", "filter", Map.of("tags", List.of(tag)), "dryRun", true));
    assertEquals(2, dry.json().get("matched").asInt(), dry.toString());
    assertEquals(0, dry.json().get("affected").asInt());
    String request = "op-" + UUID.randomUUID();
    HttpCalls.Reply first = api.put("api/v1/functions/" + fid + "/operations/" + request, rerun);
    assertEquals(200, first.status(), first.toString());
    assertEquals(2, first.json().get("affected").asInt());
    awaitDone();
    assertEquals(2, job(ids.get(0)).get("executionCount").asInt());
    HttpCalls.Reply again = api.put("api/v1/functions/" + fid + "/operations/" + request, rerun);
    assertEquals(first.json(), again.json());
    assertEquals(2, job(ids.get(0)).get("executionCount").asInt(), "a repeated request id does not act again");

    HttpCalls.Reply badVerb = api.put("api/v1/functions/" + fid + "/operations/x1", Map.of("verb", "explode",
        "jobIds", ids));
    assertEquals(400, badVerb.status());
    assertEquals("verb", badVerb.field());
    HttpCalls.Reply neither = api.put("api/v1/functions/" + fid + "/operations/x2", Map.of("verb", "cancel"));
    assertEquals("jobIds", neither.field());
    HttpCalls.Reply foreign = api.put("api/v1/functions/" + fid + "/operations/x3", Map.of("verb", "cancel",
        "jobIds", List.of("abcdefghij-1")));
    assertEquals("jobIds", foreign.field());

    HttpCalls.Reply deleted = api.put("api/v1/functions/" + fid + "/operations/" + UUID.randomUUID(),
        Map.of("verb", "delete", "jobIds", List.of(ids.get(1))));
    assertEquals(1, deleted.json().get("affected").asInt(), deleted.toString());
    assertEquals(404, api.get("api/v1/jobs/" + ids.get(1)).status());
    HttpCalls.Reply rerunSuccess = api.put("api/v1/jobs/" + submitAndWait(8) + "/actions/rerun", Map.of());
    assertEquals(409, rerunSuccess.status(), "a job that succeeded is not rerun");

    String failing = submit(null, Map.of("args", List.of(List.of(-3)))).get(0);
    awaitDone();
    HttpCalls.Reply rerunOne = api.put("api/v1/jobs/" + failing + "/actions/rerun", Map.of());
    assertEquals(200, rerunOne.status(), rerunOne.toString());
    awaitDone();
    assertEquals(2, job(failing).get("executionCount").asInt());
    assertEquals(204, api.delete("api/v1/jobs/" + failing + "?deleteResult=true").status());
    assertEquals(404, api.get("api/v1/jobs/" + failing).status());
    assertEquals(404, api.delete("api/v1/jobs/" + failing).status());
  }

  private String submitAndWait(int x) throws Exception {
    String id = submit(null, Map.of("args", List.of(List.of(x)))).get(0);
    awaitDone();
    return id;
  }

  @Test
  void attributesChangeThroughAPutAndBadValuesNameTheirField() throws Exception {
    HttpCalls.Reply changed = api.put("api/v1/functions/" + fid, Map.of("maximumConcurrency", 3, "memory", "300Mi",
        "retryCount", 1, "timeout", 120, "cpus", "1"));
    assertEquals(200, changed.status(), changed.toString());
    assertEquals(3, changed.json().get("maximumConcurrency").asInt());
    assertEquals(300, changed.json().get("memory").asInt());
    assertEquals(120, api.get("api/v1/functions/" + fid).json().get("timeout").asInt());
    HttpCalls.Reply zero = api.put("api/v1/functions/" + fid, Map.of("maximumConcurrency", 0));
    assertEquals(400, zero.status());
    assertEquals("maximumConcurrency", zero.field());
    HttpCalls.Reply memory = api.put("api/v1/functions/" + fid, Map.of("memory", "lots"));
    assertEquals("memory", memory.field());
    HttpCalls.Reply immutable = api.put("api/v1/functions/" + fid, Map.of("entrypoint", "other.py:f"));
    assertEquals("entrypoint", immutable.field());
    HttpCalls.Reply notJson = api.put("api/v1/functions/" + fid, "{\"maximumConcurrency\": ");
    assertEquals(400, notJson.status());
    assertTrue(notJson.json().get("error").get("message").asText().contains("not valid JSON"));
    api.put("api/v1/functions/" + fid, Map.of("maximumConcurrency", 2, "memory", 256, "retryCount", 0));
  }

  @Test
  void startStopEnableAndDisableArePutsAndADisabledFunctionRefusesJobs() throws Exception {
    assertEquals("STOPPED", api.put("api/v1/functions/" + fid + "/actions/stop", Map.of()).json()
        .get("status").asText());
    assertEquals("READY", api.put("api/v1/functions/" + fid + "/actions/start", Map.of()).json()
        .get("status").asText());
    assertFalse(api.put("api/v1/functions/" + fid + "/actions/disable", Map.of()).json().get("enabled").asBoolean());
    HttpCalls.Reply refused = api.post("api/v1/functions/" + fid + "/jobs", Map.of("args", List.of(List.of(1))));
    assertEquals(409, refused.status(), refused.toString());
    assertTrue(refused.json().get("error").get("message").asText().contains("disabled"));
    assertTrue(api.put("api/v1/functions/" + fid + "/actions/enable", Map.of()).json().get("enabled").asBoolean());
    assertEquals(404, api.put("api/v1/functions/" + fid + "/actions/explode", Map.of()).status());
    assertTrue(api.get("api/v1/functions/" + fid + "/build-log").text().length() > 0);
  }

  @Test
  void functionsAreListedWithCountsAndFilteredAndBadQueriesNameTheirField() throws Exception {
    HttpCalls.Reply list = api.get("api/v1/functions?status=READY,STOPPED,BUILDING&sort=name&pageSize=1000");
    assertEquals(200, list.status(), list.toString());
    boolean found = false;
    for (JsonNode f : list.json().get("items")) {
      assertEquals(ME, f.get("owner").asText());
      found |= f.get("id").asText().equals(fid);
    }
    assertTrue(found, list.toString());
    HttpCalls.Reply byName = api.get("api/v1/functions?name=" + api.get("api/v1/functions/" + fid).json()
        .get("name").asText());
    assertEquals(1, byName.json().get("total").asInt(), byName.toString());
    assertEquals("status", api.get("api/v1/functions?status=SLEEPING").field());
    assertEquals("pageSize", api.get("api/v1/functions?pageSize=0").field());
    assertEquals("order", api.get("api/v1/functions?order=sideways").field());
    JsonNode charts = api.get("api/v1/functions/" + fid + "/charts").json();
    assertTrue(charts.get("timeline").get("series").has("SUCCESS"), charts.toString());
    assertTrue(charts.has("runtime") && charts.has("peakMemory"));
  }

  @Test
  void aLogIsFollowedLiveAsTextAndAsServerSentEvents() throws Exception {
    String id = submit(null, Map.of("args", List.of(List.of(9)), "kwargs", List.of(Map.of("lines", 4,
        "pause", 0.5)))).get(0);
    HttpCalls.Reply text = api.get("api/v1/jobs/" + id + "/log?follow=true&timestamps=false");
    assertEquals(200, text.status());
    assertTrue(text.text().contains("line 0 of job 9\nline 1 of job 9\nline 2 of job 9\nline 3 of job 9\n"),
        text.text());
    assertTrue(text.text().contains("square of 9"), text.text());
    HttpCalls.Reply events = api.get("api/v1/jobs/" + id + "/log?follow=true&timestamps=false", "text/event-stream");
    assertTrue(events.text().contains("event: line\ndata: line 3 of job 9\n"), events.text());
    assertTrue(events.text().contains("event: end\ndata: SUCCESS\n"), events.text());
  }

  @Test
  void errorsAreJsonWithAStatusAClientCanActOn() throws Exception {
    HttpCalls.Reply missing = api.get("api/v1/functions/zzzzzzzzzz");
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.json().get("error").get("reason").asText());
    assertEquals(404, api.get("api/v1/jobs/not-a-job").status());
    assertEquals(404, api.get("api/v1/jobs/" + fid + "-999999").status());
    assertEquals(404, api.get("api/v1/nothing/here").status());
    HttpCalls.Reply method = api.post("api/v1/functions/" + fid, Map.of());
    assertEquals(405, method.status());
    assertTrue(method.json().get("error").get("message").asText().contains("PUT"));
    HttpCalls.Reply anonymous = new HttpCalls(server.uri(), null).get("api/v1/functions");
    assertEquals(401, anonymous.status());
    assertTrue(anonymous.json().get("error").get("message").asText().contains("user.name"));
    HttpCalls.Reply noArgs = api.post("api/v1/functions/" + fid + "/jobs", Map.of("args", List.of()));
    assertEquals("args", noArgs.field());
    HttpCalls.Reply notJsonArgs = api.post("api/v1/functions/" + fid + "/jobs", "{\"args\": [[NaN]]}");
    assertEquals(400, notJsonArgs.status());
    HttpCalls.Reply noEntrypoint = api.post("api/v1/functions", Map.of("memory", 256));
    assertEquals("entrypoint", noEntrypoint.field());
    HttpCalls.Reply unknownBundle = api.post("api/v1/functions", Map.of("entrypoint", "calc.py:square",
        "bundle", "never-uploaded"));
    assertEquals("bundle", unknownBundle.field());
    HttpCalls.Reply noFile = api.post("api/v1/functions", Map.of("entrypoint", "calc.py:square"));
    assertEquals("entrypoint", noFile.field(), "without a bundle there is no calc.py: " + noFile);
    HttpCalls.Reply badMemory = api.post("api/v1/functions", Map.of("entrypoint", "calc.square",
        "memory", "a lot"));
    assertEquals("memory", badMemory.field());
    HttpCalls.Reply notAZip = api.putBytes("api/v1/bundles/bad", "application/zip", "hello".getBytes());
    assertEquals(400, notAZip.status());
    assertEquals(200, api.get("api/v1/health").status());
    assertEquals(ME, api.get("api/v1").json().get("user").asText());
    assertTrue(api.get("api/v1/openapi.json").json().get("paths").has("/api/v1/functions/{functionId}/jobs"));
  }

  @Test
  void aFunctionWithARunningJobIsNotDeletedAndAStoppedOneIs() throws Exception {
    String other = createCalc(api, "doomed", 1);
    String id = api.put("api/v1/functions/" + other + "/batches/one", Map.of("args", List.of(List.of(3)),
        "kwargs", List.of(Map.of("lines", 60, "pause", 0.5)))).json().get("jobIds").get(0).asText();
    for (int i = 0; i < 120 && !"RUNNING".equals(job(id).get("status").asText()); i++) {
      Thread.sleep(500);
    }
    assertEquals("RUNNING", job(id).get("status").asText());
    HttpCalls.Reply refused = api.delete("api/v1/functions/" + other);
    assertEquals(409, refused.status(), refused.toString());
    assertEquals("conflict", refused.json().get("error").get("reason").asText());
    assertEquals(409, api.put("api/v1/functions/" + other + "/actions/delete", Map.of()).status());
    HttpCalls.Reply canceled = api.put("api/v1/jobs/" + id + "/actions/cancel", Map.of());
    assertEquals(200, canceled.status(), canceled.toString());
    assertNotEquals("RUNNING", canceled.json().get("status").asText());
    for (int i = 0; i < 120 && !"CANCELED".equals(job(id).get("status").asText()); i++) {
      Thread.sleep(500);
    }
    assertEquals(200, api.put("api/v1/jobs/" + id + "/actions/delete", Map.of()).status());
    assertEquals(204, api.delete("api/v1/functions/" + other + "?deleteResults=true").status());
    assertEquals(404, api.get("api/v1/functions/" + other).status());
  }

  @Test
  void anotherUserIsRefusedThisUsersFunctionsJobsLogsAndResults() throws Exception {
    String id = submitAndWait(11);
    HttpCalls mallory = api.as("mallory");
    for (String path : List.of("api/v1/functions/" + fid, "api/v1/functions/" + fid + "/jobs",
        "api/v1/functions/" + fid + "/build-log", "api/v1/jobs/" + id, "api/v1/jobs/" + id + "/log",
        "api/v1/jobs/" + id + "/result", "api/v1/blobs/" + fid + "/" + id, "api/v1/blobs/" + fid + "/" + id + "/data",
        "api/v1/blobs?functionId=" + fid)) {
      HttpCalls.Reply r = mallory.get(path);
      assertEquals(403, r.status(), path + ": " + r);
      assertEquals("forbidden", r.json().get("error").get("reason").asText());
    }
    assertEquals(403, mallory.put("api/v1/functions/" + fid, Map.of("maximumConcurrency", 9)).status());
    assertEquals(403, mallory.put("api/v1/jobs/" + id + "/actions/delete", Map.of()).status());
    assertEquals(403, mallory.post("api/v1/functions/" + fid + "/jobs", Map.of("args", List.of(List.of(1))))
        .status());
    for (JsonNode f : mallory.get("api/v1/functions?pageSize=1000").json().get("items")) {
      assertNotEquals(fid, f.get("id").asText(), "mallory's list shows only mallory's functions");
    }
    assertNull(job(id).get("errorReason").textValue());
  }
}
