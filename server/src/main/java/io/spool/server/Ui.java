package io.spool.server;

import io.spool.core.model.JobId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The monitoring UI's files: one page, served at {@code /ui/} and at {@code /ui/functions/<id>/} (each function's
 * YARN tracking URL; through the ResourceManager's proxy the page shows at {@code /proxy/<appId>/}), and its assets
 * under any {@code .../static/}. Every URL in the page is relative, so it works below any prefix.
 */
final class Ui {

  static final String RESOURCES = "ui/";
  static final String FUNCTION_META = "<meta name=\"spool-function\" content=\"\">";
  private static final Pattern FUNCTION_PAGE = Pattern.compile("/ui/functions/([a-z0-9]+)(/.*)?");
  private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8", "html", "text/html; charset=utf-8", "svg", "image/svg+xml",
      "png", "image/png", "ico", "image/x-icon");

  void serve(String path, HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
      response.sendError(405, "the UI's pages are read with GET");
      return;
    }
    int assets = path.indexOf("/static/");
    if (assets >= 0) {
      asset(path.substring(assets + "/static/".length()), response);
      return;
    }
    if (path.isEmpty() || path.equals("/")) {
      response.sendRedirect("ui/");
      return;
    }
    if (path.equals("/ui")) {
      response.sendRedirect("ui/");
      return;
    }
    Matcher fn = FUNCTION_PAGE.matcher(path);
    if (fn.matches() && JobId.isFunctionId(fn.group(1))) {
      if (fn.group(2) == null) {
        response.sendRedirect(fn.group(1) + "/");
        return;
      }
      page(fn.group(1), response);
      return;
    }
    if (path.startsWith("/ui/")) {
      page("", response);
      return;
    }
    response.sendError(404, "nothing at " + path + "; the UI is at /ui/ and the API at /api/v1/");
  }

  private void page(String functionId, HttpServletResponse response) throws IOException {
    byte[] html = resource("index.html");
    if (html == null) {
      response.sendError(404, "the UI's page is missing from the server's jar");
      return;
    }
    String text = new String(html, StandardCharsets.UTF_8).replace(FUNCTION_META,
        "<meta name=\"spool-function\" content=\"" + functionId + "\">");
    send(response, TYPES.get("html"), text.getBytes(StandardCharsets.UTF_8));
  }

  private void asset(String name, HttpServletResponse response) throws IOException {
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    byte[] bytes = ASSET.matcher(name).matches() && type != null ? resource(name) : null;
    if (bytes == null) {
      response.sendError(404, "no UI file " + name);
      return;
    }
    send(response, type, bytes);
  }

  private static void send(HttpServletResponse response, String type, byte[] body) throws IOException {
    response.setStatus(200);
    response.setContentType(type);
    response.setHeader("Cache-Control", "no-cache");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Ui.class.getResourceAsStream(RESOURCES + name)) {
      return in == null ? null : in.readAllBytes();
    }
  }
}
