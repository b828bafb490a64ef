package io.spool.local;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The Python that the user's {@code python3} (or {@code $SPOOL_PYTHON}) resolves to: its absolute path and version. */
record PythonInterpreter(Path executable, String version) {

  /** Environment variable naming the interpreter to resolve instead of {@code python3}. */
  static final String OVERRIDE_ENV = "SPOOL_PYTHON";

  private static final String DEFAULT_COMMAND = "python3";
  private static final String PROBE =
      "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  /** The image name Spool gives this interpreter, such as {@code python3.11}. */
  String imageName() {
    return "python" + version;
  }

  /** Runs the interpreter named by {@code env} (or {@code python3} from the PATH) and asks it where it lives. */
  static PythonInterpreter resolve(Map<String, String> env) throws IOException {
    String override = env.getOrDefault(OVERRIDE_ENV, "").trim();
    String command = override.isEmpty() ? DEFAULT_COMMAND : override;
    Path output = Files.createTempFile("spool-python-probe", ".txt");
    try {
      Process process;
      try {
        process = new ProcessBuilder(command, "-c", PROBE)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
      } catch (IOException e) {
        throw new IOException(notFound(command, "it could not be run (" + e.getMessage() + ")"), e);
      }
      try {
        if (!process.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new IOException(notFound(command, "it did not answer within " + PROBE_TIMEOUT.toSeconds() + " s"));
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while asking " + command + " for its version");
      }
      return parse(command, process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static PythonInterpreter parse(String command, int exitCode, String output) throws IOException {
    List<String> lines = output.strip().lines().map(String::strip).toList();
    if (exitCode != 0 || lines.size() != 2 || lines.get(0).isEmpty()) {
      throw new IOException(notFound(command, "it exited with " + exitCode + " and printed: " + output.strip()));
    }
    Path executable = Paths.get(lines.get(0));
    String version = lines.get(1);
    if (!executable.isAbsolute() || !version.startsWith("3.")) {
      throw new IOException(notFound(command,
          "it reports executable '" + executable + "' and version " + version + ", not an absolute Python 3"));
    }
    return new PythonInterpreter(executable, version);
  }

  private static String notFound(String command, String reason) {
    return "No usable Python 3: '" + command + "' failed because " + reason
        + ". Install Python 3 so that python3 is on the PATH, or set " + OVERRIDE_ENV
        + " to the Python 3 interpreter to use.";
  }
}
