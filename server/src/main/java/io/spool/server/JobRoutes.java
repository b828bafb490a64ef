package io.spool.server;

import io.spool.client.Job;
import io.spool.client.view.JobView;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The API's jobs: read, cancel, rerun, delete; logs (whole, or followed live) and results. */
final class JobRoutes {

  /** Marks the end of a followed log in the queue between the follower and the response. */
  private static final String END = new String("end of log");

  private final ExecutorService followers;

  JobRoutes(ExecutorService followers) {
    this.followers = followers;
  }

  void register(Router r) {
    r.add("GET", "/jobs/{jobId}", "A job, with its arguments", this::get);
    r.add("DELETE", "/jobs/{jobId}", "Delete a job that is not running (and its result if asked)", this::delete);
    r.add("PUT", "/jobs/{jobId}/actions/{action}", "cancel, rerun or delete a job", this::action);
    r.add("GET", "/jobs/{jobId}/log", "A job's log: one attempt, or followed live (text or server-sent events)",
        this::log);
    r.add("GET", "/jobs/{jobId}/result", "A job's result: its JSON, or its bytes", this::result);
    r.add("GET", "/jobs/{jobId}/result/data", "A job's result as a file to download", this::resultData);
  }

  private Object get(Call call) {
    return JobView.of(Access.job(call, call.path("jobId")), true);
  }

  private Object delete(Call call) {
    Access.job(call, call.path("jobId")).delete(call.boolQuery("deleteResult", false));
    return Reply.noContent();
  }

  private Object action(Call call) {
    Job job = Access.job(call, call.path("jobId"));
    switch (call.path("action")) {
      case "cancel" -> job.cancel();
      case "rerun" -> job.rerun();
      case "delete" -> {
        job.delete(call.boolQuery("deleteResult", false));
        return Map.of("deleted", true);
      }
      default -> throw ApiException.notFound("no job action '" + call.path("action")
          + "'; use cancel, rerun or delete");
    }
    return JobView.of(job.refresh(), true);
  }

  private Object log(Call call) throws IOException, InterruptedException {
    Job job = Access.job(call, call.path("jobId"));
    boolean timestamps = call.boolQuery("timestamps", true);
    if (call.boolQuery("follow", false)) {
      follow(call, job, timestamps);
      return Reply.WRITTEN;
    }
    int attempts = job.executionCount();
    int attempt = call.intQuery("attempt", attempts, 0, Integer.MAX_VALUE);
    if (call.query("attempt") != null && (attempt < 1 || attempt > attempts)) {
      throw ApiException.badRequest("attempt", "job " + job.id() + " has " + (attempts == 0 ? "no attempt yet"
          : "attempts 1 to " + attempts) + "; 'attempt' " + attempt + " is not one of them");
    }
    return Reply.text(attempt == 0 ? "" : job.log(attempt, timestamps));
  }

  /**
   * Streams the job's log as it is written, until the job has ended: as server-sent events ({@code line} events,
   * then {@code end}) when the client accepts them, else as plain text.
   */
  private void follow(Call call, Job job, boolean timestamps) throws IOException, InterruptedException {
    boolean events = String.valueOf(call.request().getHeader("Accept")).contains("text/event-stream");
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
    Future<?> reader = followers.submit(() -> {
      try (Stream<String> log = job.followLog(timestamps)) {
        for (Iterator<String> it = log.iterator(); it.hasNext(); ) {
          lines.put(it.next());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        lines.offer("[spool] the log could not be followed: " + e.getMessage());
      }
      lines.offer(END);
    });
    try {
      if (events) {
        EventStream stream = new EventStream(call.response());
        for (String line = lines.poll(1, TimeUnit.SECONDS); line != END; line = lines.poll(1, TimeUnit.SECONDS)) {
          if (line != null) {
            stream.text("line", line);
          }
          stream.heartbeatIfIdle();
        }
        stream.text("end", job.refresh().status().name());
      } else {
        call.response().setContentType("text/plain; charset=utf-8");
        call.response().setHeader("Cache-Control", "no-store");
        OutputStream out = call.response().getOutputStream();
        for (String line = lines.take(); line != END; line = lines.take()) {
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          if (lines.isEmpty()) {
            out.flush();
          }
        }
        out.flush();
      }
    } finally {
      reader.cancel(true);
    }
  }

  private Object result(Call call) {
    return result(call, false);
  }

  private Object resultData(Call call) {
    return result(call, true);
  }

  /** The job's result as stored: JSON or bytes, as a download if {@code download}; 204 if it returned None. */
  private static Object result(Call call, boolean download) {
    Job job = Access.job(call, call.path("jobId"));
    byte[] bytes = job.resultBytes();
    if (bytes == null) {
      return Reply.noContent();
    }
    boolean json = "json".equals(job.resultKind().orElse(null));
    return Reply.bytes(json ? "application/json" : "application/octet-stream", bytes,
        download ? job.id() + (json ? ".json" : ".bin") : null);
  }
}
