package io.spool.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Calls of the Spool server's REST API as a program outside the JVM would make them: plain HTTP, JSON bodies. */
final class HttpCalls {

  /** A reply: its status, content type and body. */
  record Reply(int status, String contentType, byte[] body, HttpResponse<byte[]> raw) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return Json.values().readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + text(), e);
      }
    }

    /** The error's field, for a JSON error. */
    String field() {
      return json().path("error").path("field").asText(null);
    }

    @Override
    public String toString() {
      return status + " " + text();
    }
  }

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;
  private final String user;

  /** Calls the API at {@code base} ({@code http://host:port/}) as {@code user} (null: name no user). */
  HttpCalls(URI base, String user) {
    this.base = base;
    this.user = user;
  }

  HttpCalls as(String otherUser) {
    return new HttpCalls(base, otherUser);
  }

  URI uri(String path) {
    String withUser = user == null ? path
        : path + (path.contains("?") ? "&" : "?") + "user.name=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
    return base.resolve(withUser);
  }

  Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Reply get(String path, String accept) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET());
  }

  Reply put(String path, Object json) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes(json))));
  }

  Reply putBytes(String path, String contentType, byte[] body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  Reply post(String path, Object json) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(json))));
  }

  Reply delete(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private static byte[] bytes(Object json) throws IOException {
    return json instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : Json.values().writeValueAsBytes(json);
  }

  Reply send(HttpRequest.Builder request) throws Exception {
    HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofSeconds(90)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
  }
}
