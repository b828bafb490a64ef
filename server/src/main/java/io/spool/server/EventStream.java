package io.spool.server;

import io.spool.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletResponse;

/**
 * A server-sent event stream: named events with JSON or text data, and comment lines as heartbeats so that the
 * ResourceManager's web proxy (which cuts a connection idle for 60 s) keeps it open. A write to a client that went
 * away throws {@link IOException}: the caller stops.
 */
final class EventStream {

  /** Most time between two writes, ms. */
  static final long HEARTBEAT_MS = 15_000;

  private final OutputStream out;
  private long lastWrite = System.nanoTime();

  EventStream(HttpServletResponse response) throws IOException {
    response.setStatus(200);
    response.setContentType("text/event-stream; charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Accel-Buffering", "no");
    this.out = response.getOutputStream();
    response.flushBuffer();
  }

  /** Sends an event whose data is {@code value} as JSON (one line). */
  void json(String event, Object value) throws IOException {
    text(event, Json.values().writeValueAsString(value));
  }

  /** Sends an event whose data is {@code text} (each of its lines a data line). */
  void text(String event, String text) throws IOException {
    StringBuilder frame = new StringBuilder("event: ").append(event).append('\n');
    for (String line : text.split("\n", -1)) {
      frame.append("data: ").append(line).append('\n');
    }
    write(frame.append('\n').toString());
  }

  /** Sends a heartbeat if nothing was written for {@link #HEARTBEAT_MS}. */
  void heartbeatIfIdle() throws IOException {
    if (System.nanoTime() - lastWrite >= HEARTBEAT_MS * 1_000_000L) {
      write(": heartbeat\n\n");
    }
  }

  private void write(String frame) throws IOException {
    out.write(frame.getBytes(StandardCharsets.UTF_8));
    out.flush();
    lastWrite = System.nanoTime();
  }
}
