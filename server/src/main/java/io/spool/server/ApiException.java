package io.spool.server;

/**
 * A request the API refuses, with the HTTP status a client can act on and, for bad input, the field to change. Its
 * JSON form is {@code {"error": {"status": 400, "reason": "bad_request", "message": "...", "field": "memory"}}}.
 */
final class ApiException extends RuntimeException {

  private final int status;
  private final String field;

  ApiException(int status, String message) {
    this(status, message, null);
  }

  ApiException(int status, String message, String field) {
    super(message);
    this.status = status;
    this.field = field;
  }

  static ApiException badRequest(String field, String message) {
    return new ApiException(400, message, field);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException forbidden(String message) {
    return new ApiException(403, message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  int status() {
    return status;
  }

  String field() {
    return field;
  }

  /** The error's short name by status: {@code bad_request}, {@code not_found}, … */
  static String reason(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      case 413 -> "too_large";
      case 415 -> "unsupported_media_type";
      case 429 -> "limit_exceeded";
      case 503 -> "unavailable";
      default -> status >= 500 ? "internal_error" : "error";
    };
  }
}
