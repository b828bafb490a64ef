package io.spool.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs in the Python worker, one at a time, enforcing each attempt's timeout. If the worker could not import
 * the entrypoint, every job fails with the worker's reason (a user's mistake: the job must end, never hang).
 */
final class JobExecution implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
  private static final long STARTUP_TIMEOUT_MS = 120_000;
  private static final long KILL_GRACE_MS = 10_000;

  private final PythonWorker worker;
  private final String fatal;

  private JobExecution(PythonWorker worker, String fatal) {
    this.worker = worker;
    this.fatal = fatal;
  }

  /** Starts the worker and waits until it has imported the entrypoint (or said why it cannot). */
  static JobExecution start(String python, Path script, Path bundle, String callable, Path workDir)
      throws IOException, InterruptedException {
    PythonWorker worker = PythonWorker.start(python, script, bundle, callable);
    JsonNode first = worker.receive(STARTUP_TIMEOUT_MS);
    if (first == null) {
      worker.close();
      return new JobExecution(null, "the Python worker did not start within " + STARTUP_TIMEOUT_MS / 1000 + " s");
    }
    String type = first.path("type").asText();
    if ("ready".equals(type)) {
      LOG.info("Python worker ready (pid {}, Python {})", first.path("pid").asInt(), first.path("python").asText());
      return new JobExecution(worker, null);
    }
    String reason = "fatal".equals(type) ? first.path("error").asText()
        : "the Python worker exited before it was ready (see the container's stderr)";
    LOG.error("Python worker cannot run {}: {}", callable, reason);
    worker.close();
    return new JobExecution(null, reason);
  }

  JobOutcome run(String jobId, int attempt, JsonNode args, JsonNode kwargs, Map<String, String> env,
      Path log, Path result, Path tmp, long timeoutSeconds) throws IOException, InterruptedException {
    long start = System.nanoTime();
    if (fatal != null) {
      Files.write(log, (fatal + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return new JobOutcome("FAILURE", null, fatal, 0, null);
    }
    ObjectNode run = JsonNodeFactory.instance.objectNode();
    run.put("type", "run");
    run.put("job", jobId);
    run.put("attempt", attempt);
    run.set("args", args == null || args.isNull() ? JsonNodeFactory.instance.arrayNode() : args);
    run.set("kwargs", kwargs == null || kwargs.isNull() ? JsonNodeFactory.instance.objectNode() : kwargs);
    ObjectNode envNode = run.putObject("env");
    env.forEach(envNode::put);
    run.put("log", log.toString());
    run.put("result", result.toString());
    run.put("tmpdir", tmp.toString());
    worker.send(run);
    long deadline = timeoutSeconds > 0 ? start + timeoutSeconds * 1_000_000_000L : Long.MAX_VALUE;
    boolean timedOut = false;
    while (true) {
      long waitMs = deadline == Long.MAX_VALUE ? 60_000 : Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      JsonNode message = worker.receive(waitMs);
      if (message == null) {
        if (!timedOut && System.nanoTime() >= deadline) {
          timedOut = true;
          ObjectNode kill = JsonNodeFactory.instance.objectNode().put("type", "kill").put("job", jobId).put("signal", 9);
          worker.send(kill);
          deadline = System.nanoTime() + KILL_GRACE_MS * 1_000_000L;
        } else if (timedOut) {
          throw new IOException("the Python worker did not end job " + jobId + " after it was killed");
        }
        continue;
      }
      String type = message.path("type").asText();
      if ("eof".equals(type)) {
        throw new IOException("the Python worker exited while running job " + jobId);
      }
      if ("error".equals(type) && jobId.equals(message.path("job").asText())) {
        return new JobOutcome("FAILURE", null, "the worker refused the job: " + message.path("error").asText(),
            (System.nanoTime() - start) / 1e9, null);
      }
      if (!"done".equals(type) || !jobId.equals(message.path("job").asText())) {
        continue;
      }
      double runtime = (System.nanoTime() - start) / 1e9;
      Integer exitCode = message.path("exitCode").isNumber() ? message.get("exitCode").asInt() : null;
      if (timedOut) {
        return new JobOutcome("TIMEOUT", exitCode, "timed out after " + timeoutSeconds + " s (the function's timeout)",
            runtime, null);
      }
      String error = message.path("error").isTextual() ? message.get("error").asText() : null;
      if (error != null) {
        return new JobOutcome("FAILURE", exitCode, error, runtime, null);
      }
      String kind = message.path("resultKind").asText("none");
      return new JobOutcome("SUCCESS", exitCode, null, runtime, "none".equals(kind) ? null : kind);
    }
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.close();
    }
  }
}
