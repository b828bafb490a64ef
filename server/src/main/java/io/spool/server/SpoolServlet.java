package io.spool.server;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Everything the server serves: a path with {@code /api/v1} in it goes to the API (whatever comes before, so that
 * the UI's relative calls work below a function's page and the web proxy's prefix), any other to the UI.
 */
final class SpoolServlet extends HttpServlet {

  static final String API_PREFIX = "/api/v1";

  private final transient Api api;
  private final transient Ui ui;

  SpoolServlet(Api api, Ui ui) {
    this.api = api;
    this.ui = ui;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if ("OPTIONS".equals(request.getMethod())) {
      // what SPNEGO clients (Hadoop's AuthenticatedURL) send to authenticate before their real request
      response.setHeader("Allow", "GET, PUT, POST, DELETE, OPTIONS");
      response.setStatus(HttpServletResponse.SC_OK);
      return;
    }
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    int at = apiStart(path);
    if (at >= 0) {
      api.serve(path.substring(at + API_PREFIX.length()), request, response);
    } else {
      ui.serve(path, request, response);
    }
  }

  /** Where {@code /api/v1} starts as whole segments in {@code path}, or -1. */
  static int apiStart(String path) {
    for (int at = path.indexOf(API_PREFIX); at >= 0; at = path.indexOf(API_PREFIX, at + 1)) {
      int end = at + API_PREFIX.length();
      if (end == path.length() || path.charAt(end) == '/') {
        return at;
      }
    }
    return -1;
  }
}
