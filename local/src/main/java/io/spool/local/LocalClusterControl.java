package io.spool.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * Starts, inspects and stops the embedded cluster of a data directory as a background JVM running
 * {@link LocalClusterDaemon}: the work behind {@code spool local start|stop|status}.
 */
public final class LocalClusterControl {

  /** How long {@code spool local start} waits by default for the daemon to be ready. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);
  /**
   * How long {@code spool local stop} waits by default for the daemon to exit before killing it: longer than the
   * cluster's own bounded stop (three services, {@link EmbeddedCluster#STOP_TIMEOUT} each).
   */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofMinutes(2);

  /** The daemon JVM's options besides the classpath: a bounded heap and what Hadoop needs on Java 17. */
  static final List<String> JVM_OPTIONS = List.of(
      "-Xmx1g",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED");

  /** System property naming the data directory on the daemon's command line, by which its process is recognised. */
  static final String DAEMON_MARKER_PROPERTY = "spool.local.data-dir";

  private static final int LOG_TAIL_LINES = 40;
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

  private LocalClusterControl() {}

  /** {@code ~/.spool/local}: where the embedded cluster keeps its data unless told otherwise. */
  public static Path defaultDataDir() {
    return Paths.get(System.getProperty("user.home"), ".spool", "local");
  }

  /** {@code ~/.spool/conf/spool-site.xml}: where the client configuration goes, so that other commands find it. */
  public static Path defaultConfFile() {
    return SpoolConfig.defaultConfDir().resolve(SpoolConfig.SITE_FILE);
  }

  /**
   * Starts the daemon for {@code dataDir} and waits up to {@code timeout} until it is ready; returns the running
   * one if there is one already. Concurrent starts of one data directory wait for each other (a file lock).
   *
   * @throws IOException if the daemon failed, died or was not ready in time; the message ends with the last lines
   *     of {@code daemon.log}
   */
  public static LocalClusterStatus start(Path dataDir, Path confFile, Duration timeout) throws IOException {
    DaemonFiles files = new DaemonFiles(dataDir);
    Files.createDirectories(files.dir());
    try (FileChannel lockFile = FileChannel.open(files.startLockFile(), StandardOpenOption.CREATE,
             StandardOpenOption.WRITE)) {
      lockFile.lock(); // held until the channel closes
      LocalClusterStatus current = status(files);
      if (current.running()) {
        return current;
      }
      files.clearState();
      Process process = launch(files, confFile.toAbsolutePath().normalize());
      return awaitReady(files, process, timeout);
    }
  }

  /**
   * Sends SIGTERM to the daemon of {@code dataDir}, waits up to {@code timeout} for it to exit, then kills it.
   * Nothing running is not an error: the result says so.
   */
  public static StopResult stop(Path dataDir, Duration timeout) throws IOException {
    DaemonFiles files = new DaemonFiles(dataDir);
    Optional<ProcessHandle> daemon = runningDaemon(files);
    if (daemon.isEmpty()) {
      files.clearRunning();
      return StopResult.notRunning(files.dir());
    }
    ProcessHandle process = daemon.get();
    process.destroy();
    boolean forced = false;
    if (!awaitExit(process, timeout)) {
      forced = true;
      process.destroyForcibly();
      if (!awaitExit(process, KILL_TIMEOUT)) {
        throw new IOException("The embedded cluster daemon (pid " + process.pid() + ") did not exit even after "
            + "SIGKILL; stop it by hand");
      }
    }
    files.clearRunning();
    return new StopResult(files.dir(), true, process.pid(), forced);
  }

  /** Longest wait for the server's health endpoint in {@code status}. */
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  /** Whether the daemon of {@code dataDir} runs, and the addresses in the client configuration it wrote. */
  public static LocalClusterStatus status(Path dataDir) throws IOException {
    return status(new DaemonFiles(dataDir));
  }

  private static LocalClusterStatus status(DaemonFiles files) throws IOException {
    Optional<ProcessHandle> daemon = runningDaemon(files);
    if (daemon.isEmpty()) {
      return LocalClusterStatus.notRunning(files.dir());
    }
    Optional<Path> confFile = files.readReady();
    Configuration conf = new Configuration(false);
    if (confFile.isPresent() && Files.isRegularFile(confFile.get())) {
      conf.addResource(new org.apache.hadoop.fs.Path(confFile.get().toUri()));
    }
    String serverUrl = conf.get(SpoolConfig.SERVER_URL);
    return new LocalClusterStatus(true, daemon.get().pid(), files.dir(), confFile.orElse(null),
        conf.get(SpoolConfig.ZOOKEEPER_QUORUM),
        conf.get(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY),
        conf.get(YarnConfiguration.RM_ADDRESS), serverUrl, supervisor(serverUrl));
  }

  /** The supervisor's state as the server's health endpoint tells it; null if the server does not answer. */
  private static JsonNode supervisor(String serverUrl) {
    if (serverUrl == null) {
      return null;
    }
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
      HttpResponse<byte[]> health = http.send(HttpRequest.newBuilder(URI.create(serverUrl + "api/v1/health"))
          .timeout(HEALTH_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
      return health.statusCode() == 200 ? Json.tree(health.body()).get("supervisor") : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The live process named in {@code daemon.pid}, if it is a daemon of ours (a recycled pid is not). */
  private static Optional<ProcessHandle> runningDaemon(DaemonFiles files) throws IOException {
    OptionalLong pid = files.readPid();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid.getAsLong())
        .filter(ProcessHandle::isAlive)
        .filter(process -> isDaemon(process, files));
  }

  /**
   * Whether the process's command line carries the daemon marker. The marker comes before the classpath because
   * Linux shows only the first 4 KiB of a command line to {@link ProcessHandle.Info}.
   */
  private static boolean isDaemon(ProcessHandle process, DaemonFiles files) {
    return process.info().commandLine()
        .map(commandLine -> commandLine.contains(daemonMarker(files)))
        .orElse(true);
  }

  private static String daemonMarker(DaemonFiles files) {
    return "-D" + DAEMON_MARKER_PROPERTY + "=" + files.dir();
  }

  private static Process launch(DaemonFiles files, Path confFile) throws IOException {
    String javaHome = System.getProperty("java.home");
    List<String> command = new ArrayList<>();
    setsid().ifPresent(command::add);
    command.add(Paths.get(javaHome, "bin", "java").toString());
    command.add(daemonMarker(files));
    command.addAll(JVM_OPTIONS);
    ownLog4jConfiguration().ifPresent(url -> command.add("-Dlog4j.configuration=" + url));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LocalClusterDaemon.class.getName());
    command.add(LocalClusterDaemon.DATA_DIR_OPTION);
    command.add(files.dir().toString());
    command.add(LocalClusterDaemon.CONF_FILE_OPTION);
    command.add(confFile.toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(files.dir().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(files.logFile().toFile()))
        .redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", javaHome);
    return builder.start();
  }

  /**
   * {@code setsid}, when the host has it, so that the daemon leaves the terminal's session and a hang-up or Ctrl-C
   * there does not reach it. A child of the JVM never leads a process group, so setsid execs without forking and
   * the started process is the daemon itself.
   */
  private static Optional<String> setsid() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Paths.get(dir, "setsid"))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst();
  }

  /**
   * This module's own {@code log4j.properties}: Hadoop's test jars carry INFO configurations under the same name,
   * and which one log4j finds first depends on the order of the classpath.
   */
  private static Optional<String> ownLog4jConfiguration() {
    CodeSource source = LocalClusterControl.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    URL location = source.getLocation();
    try {
      Path path = Paths.get(location.toURI());
      if (Files.isDirectory(path)) {
        Path file = path.resolve("log4j.properties");
        return Files.isRegularFile(file) ? Optional.of(file.toUri().toString()) : Optional.empty();
      }
      return Optional.of("jar:" + path.toUri() + "!/log4j.properties");
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static LocalClusterStatus awaitReady(DaemonFiles files, Process process, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<LocalClusterStatus> ready;
    while ((ready = readyStatus(files, process)).isEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        process.destroyForcibly();
        throw startFailed(files, "was not ready within " + timeout.toSeconds() + " s and was killed");
      }
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the embedded cluster daemon (pid "
            + process.pid() + ") to be ready");
      }
    }
    return ready.get();
  }

  /** The daemon's status once it is ready, empty while it is starting; throws once it has failed or died. */
  private static Optional<LocalClusterStatus> readyStatus(DaemonFiles files, Process process) throws IOException {
    Optional<String> failure = files.readFailed();
    if (failure.isPresent()) {
      throw startFailed(files, "failed to start: " + firstLine(failure.get()));
    }
    if (files.readReady().isPresent()) {
      LocalClusterStatus status = status(files);
      if (status.running()) {
        return Optional.of(status);
      }
    }
    if (!process.isAlive()) {
      throw startFailed(files, "exited with code " + process.exitValue() + " before it was ready");
    }
    return Optional.empty();
  }

  private static IOException startFailed(DaemonFiles files, String what) {
    return new IOException("The embedded cluster daemon for " + files.dir() + " " + what + ". Last lines of "
        + files.logFile() + ":" + System.lineSeparator() + files.logTail(LOG_TAIL_LINES));
  }

  private static String firstLine(String text) {
    return text.strip().lines().findFirst().orElse("(no message)");
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) throws IOException {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !process.isAlive();
    } catch (ExecutionException e) {
      throw new IOException("Could not wait for process " + process.pid(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for process " + process.pid() + " to exit");
    }
  }
}
