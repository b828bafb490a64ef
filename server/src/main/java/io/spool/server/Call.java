package io.spool.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.Spool;
import io.spool.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** One API request, as its route sees it: the user it acts for, that user's connection, its parameters. */
final class Call {

  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final String user;
  private final Spool spool;
  private final Map<String, String> params;

  Call(HttpServletRequest request, HttpServletResponse response, String user, Spool spool,
      Map<String, String> params) {
    this.request = request;
    this.response = response;
    this.user = user;
    this.spool = spool;
    this.params = params;
  }

  HttpServletRequest request() {
    return request;
  }

  HttpServletResponse response() {
    return response;
  }

  /** The user the request acts for. */
  String user() {
    return user;
  }

  /** The cluster connection of {@link #user()}. */
  Spool spool() {
    return spool;
  }

  /** A path parameter of the route's pattern. */
  String path(String name) {
    return params.get(name);
  }

  /** A query parameter, or null if absent or empty. */
  String query(String name) {
    String v = request.getParameter(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** Every value of a query parameter, repeated ({@code ?tag=a&tag=b}) or comma-separated ({@code ?tag=a,b}). */
  List<String> queryList(String name) {
    List<String> values = new ArrayList<>();
    String[] given = request.getParameterValues(name);
    if (given != null) {
      for (String v : given) {
        for (String part : v.split(",")) {
          if (!part.isBlank()) {
            values.add(part.trim());
          }
        }
      }
    }
    return values;
  }

  int intQuery(String name, int absent, int min, int max) {
    String v = query(name);
    if (v == null) {
      return absent;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ApiException.badRequest(name, "'" + name + "' must be between " + min + " and " + max + ", not " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name, "'" + name + "' must be a whole number, not '" + v + "'");
    }
  }

  boolean boolQuery(String name, boolean absent) {
    String v = query(name);
    if (v == null) {
      return absent;
    }
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw ApiException.badRequest(name, "'" + name + "' must be true or false, not '" + v + "'");
    };
  }

  /** The body's bytes, refused (413) beyond {@code max}. */
  byte[] bodyBytes(long max) throws IOException {
    if (request.getContentLengthLong() > max) {
      throw new ApiException(413, "the request body has " + request.getContentLengthLong() + " bytes; at most "
          + max + " are taken (spool.server.upload-max-bytes)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[65536];
    try (InputStream in = request.getInputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        if (out.size() > max) {
          throw new ApiException(413, "the request body has more than " + max
              + " bytes (spool.server.upload-max-bytes)");
        }
      }
    }
    return out.toByteArray();
  }

  /** The body as a JSON object ({@code {}} if empty), refused (400) if it is not one. */
  JsonNode jsonObject(long max) throws IOException {
    byte[] bytes = bodyBytes(max);
    if (bytes.length == 0) {
      return Json.values().createObjectNode();
    }
    JsonNode node;
    try {
      node = Json.values().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(null, "the request body must be a JSON object");
    }
    return node;
  }
}
