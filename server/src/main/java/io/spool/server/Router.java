package io.spool.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The API's routes, matched in the order they were added. */
final class Router {

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String pattern, String summary, Route.Handler handler) {
    routes.add(new Route(method, pattern, summary, handler));
    return this;
  }

  List<Route> routes() {
    return List.copyOf(routes);
  }

  /** A route and its parameters for a call. */
  record Match(Route route, Map<String, String> params) {}

  /**
   * The route for {@code method} and {@code path}.
   *
   * @throws ApiException 404 if no route has the path, 405 naming the allowed methods if none has the method
   */
  Match match(String method, String path) {
    TreeSet<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Map<String, String> params = r.match(path);
      if (params != null) {
        if (r.method().equals(method)) {
          return new Match(r, params);
        }
        allowed.add(r.method());
      }
    }
    if (allowed.isEmpty()) {
      throw ApiException.notFound("no API endpoint " + path + " (see api/v1/openapi.json)");
    }
    throw new ApiException(405, method + " is not allowed on " + path + "; use " + String.join(" or ", allowed));
  }
}
