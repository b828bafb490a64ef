package io.spool.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.json.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Python worker process of an executor and its JSON Lines protocol: it imports the entrypoint once and forks a
 * child per job (see {@code spool_worker.py}).
 */
final class PythonWorker implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(PythonWorker.class);
  private static final String RESOURCES = "io/spool/runner/python/";
  private static final JsonNode EOF = JsonNodeFactory.instance.objectNode().put("type", "eof");

  private final Process process;
  private final BufferedWriter in;
  private final BlockingQueue<JsonNode> out = new LinkedBlockingQueue<>();

  private PythonWorker(Process process) {
    this.process = process;
    this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    Thread reader = new Thread(this::readMessages, "python-worker-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Copies the worker's files out of this jar into {@code dir} and returns the entry script. */
  static Path extract(Path dir) throws IOException {
    return PythonFiles.extract(RESOURCES, dir).resolve("spool_worker.py");
  }

  /** Starts the worker; its own stderr goes to this container's stderr. */
  static PythonWorker start(String python, Path script, Path bundle, String callable) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(python, "-u", "-B", script.toString(),
        "--bundle", bundle.toString(), "--entrypoint", callable)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    try {
      return new PythonWorker(builder.start());
    } catch (IOException e) {
      throw new IOException("cannot start the Python interpreter " + python + ": " + e.getMessage()
          + " (check the function's image and spool.image.<name>.interpreter)", e);
    }
  }

  private void readMessages() {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        try {
          out.add(Json.values().readTree(line));
        } catch (IOException e) {
          LOG.warn("unreadable line from the Python worker: {}", line);
        }
      }
    } catch (IOException e) {
      LOG.warn("reading the Python worker failed", e);
    } finally {
      out.add(EOF);
    }
  }

  /** Sends one request; safe to call from any thread (a request is written whole). */
  synchronized void send(ObjectNode request) throws IOException {
    in.write(Json.values().writeValueAsString(request));
    in.write('\n');
    in.flush();
  }

  /**
   * The next message, waiting at most {@code millis}; null on timeout; a message of type {@code eof} once the worker
   * has gone.
   */
  JsonNode receive(long millis) throws InterruptedException {
    return out.poll(millis, TimeUnit.MILLISECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  @Override
  public void close() {
    try {
      send(JsonNodeFactory.instance.objectNode().put("type", "shutdown"));
    } catch (IOException e) {
      LOG.debug("worker already gone", e);
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
