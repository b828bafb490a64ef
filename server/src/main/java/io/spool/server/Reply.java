package io.spool.server;

import java.nio.charset.StandardCharsets;

/**
 * What a route answers when a JSON body with status 200 is not enough: another status, a text or binary body, or
 * nothing because the route wrote the response itself (a stream).
 */
record Reply(int status, String contentType, byte[] body, String disposition) {

  /** The route wrote the response itself. */
  static final Reply WRITTEN = new Reply(0, null, null, null);

  static Reply text(String text) {
    return new Reply(200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null);
  }

  static Reply bytes(String contentType, byte[] body, String downloadName) {
    return new Reply(200, contentType, body, downloadName);
  }

  static Reply noContent() {
    return new Reply(204, null, null, null);
  }
}
