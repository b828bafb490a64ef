package io.spool.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.BuildFailedException;
import io.spool.client.InvalidAttributeException;
import io.spool.core.json.Json;
import io.spool.core.model.IllegalTransitionException;
import io.spool.core.state.AccessDeniedException;
import io.spool.core.state.LimitExceededException;
import io.spool.core.state.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API below {@code /api/v1}: finds the user and the route, runs the route as that user, and writes its
 * answer as JSON, or the error as JSON with a status a client can act on.
 */
final class Api {

  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  static final String OPENAPI_RESOURCE = "openapi.json";

  private final Router router;
  private final Identity identity;
  private final UserConnections connections;
  private final java.util.function.Supplier<Object> supervisor;

  /** {@code supervisor} tells the state of this server's supervisor (or null where it runs none). */
  Api(Router router, Identity identity, UserConnections connections, java.util.function.Supplier<Object> supervisor) {
    this.router = router;
    this.identity = identity;
    this.connections = connections;
    this.supervisor = supervisor;
  }

  Router router() {
    return router;
  }

  /** Serves {@code path}, the part of the request's path after {@code /api/v1}. */
  void serve(String path, HttpServletRequest request, HttpServletResponse response) throws IOException {
    try {
      if (path.equals("/openapi.json") && "GET".equals(request.getMethod())) {
        try (InputStream in = Api.class.getResourceAsStream(OPENAPI_RESOURCE)) {
          write(response, new Reply(200, "application/json", in.readAllBytes(), null));
        }
        return;
      }
      if (path.equals("/health") && "GET".equals(request.getMethod())) {
        java.util.Map<String, Object> health = new java.util.LinkedHashMap<>();
        health.put("status", "ok");
        health.put("api", "v1");
        health.put("supervisor", supervisor.get());
        write(response, new Reply(200, "application/json", Json.values().writeValueAsBytes(health), null));
        return;
      }
      Router.Match match = router.match(request.getMethod(), path.isEmpty() ? "/" : path);
      String user = identity.user(request);
      UserConnections.Connection connection = connections.of(user);
      Call call = new Call(request, response, user, connection.spool(), match.params());
      Object answer = connection.as(() -> match.route().handler().handle(call));
      if (answer instanceof Reply reply) {
        if (reply != Reply.WRITTEN) {
          write(response, reply);
        }
      } else {
        write(response, new Reply(200, "application/json", Json.values().writeValueAsBytes(answer), null));
      }
    } catch (EofException gone) {
      LOG.debug("The client of {} went away", path);
    } catch (Exception e) {
      fail(response, path, e);
    }
  }

  private static void write(HttpServletResponse response, Reply reply) throws IOException {
    response.setStatus(reply.status());
    response.setHeader("Cache-Control", "no-store");
    if (reply.disposition() != null) {
      response.setHeader("Content-Disposition", "attachment; filename=\"" + reply.disposition() + "\"");
    }
    if (reply.body() != null) {
      response.setContentType(reply.contentType());
      response.setContentLength(reply.body().length);
      response.getOutputStream().write(reply.body());
    }
  }

  private static void fail(HttpServletResponse response, String path, Exception e) throws IOException {
    ApiException error = asApiError(e);
    if (error.status() >= 500) {
      LOG.error("API call {} failed", path, e);
    }
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    ObjectNode body = Json.values().createObjectNode();
    ObjectNode detail = body.putObject("error");
    detail.put("status", error.status());
    detail.put("reason", ApiException.reason(error.status()));
    detail.put("message", error.getMessage());
    detail.put("field", error.field());
    write(response, new Reply(error.status(), "application/json",
        Json.values().writeValueAsString(body).getBytes(StandardCharsets.UTF_8), null));
  }

  /** The status and message an exception of the client library means to an API client. */
  static ApiException asApiError(Throwable e) {
    if (e instanceof ApiException api) {
      return api;
    }
    if (e instanceof InvalidAttributeException bad) {
      return ApiException.badRequest(bad.attribute(), bad.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      return ApiException.badRequest(null, e.getMessage());
    }
    if (e instanceof NotFoundException) {
      return ApiException.notFound(e.getMessage());
    }
    if (e instanceof AccessDeniedException) {
      return ApiException.forbidden(e.getMessage());
    }
    if (e instanceof LimitExceededException) {
      return new ApiException(429, e.getMessage());
    }
    if (e instanceof BuildFailedException || e instanceof IllegalTransitionException
        || e instanceof IllegalStateException) {
      return ApiException.conflict(e.getMessage());
    }
    if (e instanceof UncheckedIOException || e instanceof IOException) {
      return new ApiException(503, "the cluster could not be reached: " + e.getMessage());
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new ApiException(503, "the server is stopping");
    }
    return new ApiException(500, "internal error: " + e);
  }
}
