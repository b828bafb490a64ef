package io.spool.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The OpenAPI file the server serves describes exactly the routes it has. */
class OpenApiTest {

  private static JsonNode openApi() throws Exception {
    try (InputStream in = Api.class.getResourceAsStream(Api.OPENAPI_RESOURCE)) {
      return Json.values().readTree(in);
    }
  }

  @Test
  void everyRouteIsDescribedAndEveryDescribedOperationIsARoute() throws Exception {
    JsonNode doc = openApi();
    TreeSet<String> described = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(
        method -> described.add(method.toUpperCase() + " " + path.getKey())));
    TreeSet<String> routed = new TreeSet<>();
    try (Bundles bundles = new Bundles()) {
      for (Route r : SpoolServer.routes(new ServerSettings(1, 1, 1, 1), bundles,
          Executors.newSingleThreadExecutor()).routes()) {
        routed.add(r.method() + " /api/v1" + (r.pattern().equals("/") ? "" : r.pattern()));
      }
    }
    routed.add("GET /api/v1/health");
    routed.add("GET /api/v1/openapi.json");
    assertEquals(routed, described);
  }

  @Test
  void everyOperationNamesItsErrorsAndEveryReferenceResolves() throws Exception {
    JsonNode doc = openApi();
    assertEquals("3.0.3", doc.get("openapi").asText());
    String text = doc.toString();
    java.util.regex.Matcher refs = java.util.regex.Pattern.compile("\"#/components/(schemas|responses)/([A-Za-z0-9]+)\"")
        .matcher(text);
    int n = 0;
    while (refs.find()) {
      assertFalse(doc.path("components").path(refs.group(1)).path(refs.group(2)).isMissingNode(), refs.group());
      n++;
    }
    assertTrue(n > 50, "references: " + n);
    for (Map.Entry<String, JsonNode> path : (Iterable<Map.Entry<String, JsonNode>>) doc.get("paths")::fields) {
      for (Map.Entry<String, JsonNode> op : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
        assertTrue(op.getValue().has("summary"), path.getKey() + " " + op.getKey());
        if (path.getKey().contains("{functionId}") || path.getKey().contains("{jobId}")) {
          assertTrue(op.getValue().get("responses").has("404"), path.getKey() + " " + op.getKey() + " names no 404");
        }
      }
    }
  }
}
