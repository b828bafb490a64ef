package io.spool.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One endpoint of the API: a method and a path pattern with {@code {name}} segments, and what handles it.
 *
 * @param summary one line for the OpenAPI description
 */
record Route(String method, String pattern, String summary, Handler handler) {

  /** Answers a call: a value becomes a JSON body with status 200; a {@link Reply} says otherwise. */
  @FunctionalInterface
  interface Handler {
    Object handle(Call call) throws Exception;
  }

  /** The path parameters if {@code path} (below {@code /api/v1}) matches the pattern, else null. */
  Map<String, String> match(String path) {
    List<String> want = segments(pattern);
    List<String> got = segments(path);
    if (want.size() != got.size()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < want.size(); i++) {
      String w = want.get(i);
      if (w.startsWith("{") && w.endsWith("}")) {
        if (got.get(i).isEmpty()) {
          return null;
        }
        params.put(w.substring(1, w.length() - 1), got.get(i));
      } else if (!w.equals(got.get(i))) {
        return null;
      }
    }
    return params;
  }

  private static List<String> segments(String path) {
    List<String> parts = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      if (!s.isEmpty()) {
        parts.add(s);
      }
    }
    return parts;
  }
}
