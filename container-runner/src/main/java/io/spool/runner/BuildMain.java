package io.spool.runner;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.BundleExtractor;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.permission.FsPermission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's build container: runs the build script with the function's interpreter (pip installs what the image
 * lacks into a new environment, Cython modules are compiled into a copy of the bundle), keeps everything it prints
 * as the function's build log, and stores the packed environment (content-addressed) and the built bundle. Every
 * process it runs goes through the log pump ({@value LogLines#PUMP_SCRIPT} on the function's interpreter), so every
 * line of the build log is timestamped and the log is capped at {@value SpoolConfig#LOG_MAX_BYTES}; the log is
 * copied to the file system while the build runs, every {@value SpoolConfig#LOG_FLUSH_INTERVAL_MS}.
 *
 * <p>Last, it imports the entrypoint as an executor will (the bundle the jobs get on the path, the environment on
 * {@code PYTHONPATH}, the same interpreter, within {@value SpoolConfig#BUILD_CHECK_TIMEOUT_MS}) and checks that the
 * function it names exists and is callable; the reason a check failed names the file and line.
 *
 * <p>{@code BuildMain <function-id> <owner> <python> <environment-hash> <build|reuse|none|check> <callable>}:
 * {@code build} makes the environment, {@code reuse} uses the one localized as {@code env/}, {@code none} means the
 * function needs none, {@code check} builds nothing and only checks the entrypoint (with the environment localized as
 * {@code env/} where the hash is not {@code -}). The exit code is the build script's: 0 built, 2 pip failed, 3
 * compiling failed; or {@value #EXIT_CHECK_FAILED} when the entrypoint check failed.
 */
public final class BuildMain {

  private static final Logger LOG = LoggerFactory.getLogger(BuildMain.class);
  private static final String RESOURCES = "io/spool/runner/python/build/";
  private static final String RESULT_PREFIX = "SPOOL_BUILD_RESULT ";
  private static final String CHECK_PREFIX = "SPOOL_CHECK ";
  /** The exit code of a build whose entrypoint check failed. */
  public static final int EXIT_CHECK_FAILED = 4;
  /** Localized name of the function's bundle, which the build unpacks itself (refusing entries that escape). */
  public static final String BUNDLE_ZIP = "bundle.zip";

  private BuildMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      throw new IllegalArgumentException(
          "usage: BuildMain <function-id> <owner> <python> <environment-hash> <build|reuse|none|check> <callable>");
    }
    String functionId = args[0];
    String owner = args[1];
    String python = args[2];
    String hash = args[3];
    String mode = args[4];
    String callable = args[5];
    Path work = Paths.get("").toAbsolutePath();
    Configuration conf = ExecutorMain.jobConfiguration(work);
    BlobStore blobs = BlobStore.open(conf);
    Path worker = PythonWorker.extract(work.resolve("spool-worker"));
    BuildLog log = new BuildLog(work.resolve("build.log"), python, worker.resolveSibling(LogLines.PUMP_SCRIPT),
        conf.getLong(SpoolConfig.LOG_MAX_BYTES, SpoolConfig.LOG_MAX_BYTES_DEFAULT));
    int exit;
    String result;
    String checkFailure = null;
    try (LiveLog liveLog = LiveLog.of(blobs, conf)) {
      LiveLog.Following live = liveLog.follow(log.file(), BlobStore.buildLog(owner, functionId));
      try {
        try (InputStream zip = Files.newInputStream(work.resolve(BUNDLE_ZIP))) {
          BundleExtractor.extract(zip, work.resolve(ExecutorMain.BUNDLE_DIR));
        }
        if ("check".equals(mode)) {
          nothingToBuild(work, hash, log);
          exit = 0;
        } else {
          exit = build(conf, work, hash, mode, log);
        }
        if (exit == 0) {
          Path bundle = work.resolve("check".equals(mode) ? ExecutorMain.BUNDLE_DIR : "built");
          Path environment = "build".equals(mode) ? work.resolve("env-new")
              : "-".equals(hash) ? null : work.resolve("env");
          checkFailure = check(log, worker, bundle, environment, callable,
              conf.getLong(SpoolConfig.BUILD_CHECK_TIMEOUT_MS, SpoolConfig.BUILD_CHECK_TIMEOUT_MS_DEFAULT));
          exit = checkFailure == null ? 0 : EXIT_CHECK_FAILED;
        }
        if (exit == 0 && !"check".equals(mode)) {
          store(blobs, work, owner, functionId, hash, mode, log);
        }
      } catch (IOException | RuntimeException e) {
        LOG.error("build of function {} failed", functionId, e);
        log.append("[spool-build] error: " + e.getMessage());
        exit = 1;
      } finally {
        live.stop();
      }
      result = checkFailure != null ? failed(exit, checkFailure)
          : exit == 0 && "check".equals(mode) ? JsonNodeFactory.instance.objectNode().put("exitCode", 0).toString()
          : result(log.file(), exit);
      log.append("[spool-build] build " + (exit == 0 ? "succeeded" : "failed with exit status " + exit));
    }
    blobs.upload(log.file(), BlobStore.buildLog(owner, functionId));
    blobs.write(BlobStore.buildResult(owner, functionId), result.getBytes(StandardCharsets.UTF_8));
    System.exit(exit);
  }

  /**
   * The build log: the build's own lines, timestamped, and the processes it runs, through the log pump
   * {@code pump} on the function's interpreter {@code python}, capped at {@code maxBytes}.
   */
  private record BuildLog(Path file, String python, Path pump, long maxBytes) {
    void append(String text) throws IOException {
      LogLines.append(file, text);
    }

    /**
     * Starts {@code command} with its output going to the log; the process is the pump's, which exits with the
     * command's exit status. The pump's own complaints, if any, go to the container's stderr.
     */
    Process start(List<String> command) throws IOException {
      return start(command, Map.of());
    }

    /** As {@link #start(List)}, with {@code environment} added to the command's. */
    Process start(List<String> command, Map<String, String> environment) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(LogLines.pumped(python, pump, file, maxBytes, command))
          .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(environment);
      Process process = builder.start();
      process.getOutputStream().close();
      return process;
    }
  }

  private static int build(Configuration conf, Path work, String hash, String mode, BuildLog log)
      throws IOException, InterruptedException {
    Path script = PythonFiles.extract(RESOURCES, work.resolve("spool-build")).resolve("spool_build.py");
    List<String> command = new ArrayList<>(List.of(log.python(), "-u", "-B", script.toString(),
        "--bundle", work.resolve(ExecutorMain.BUNDLE_DIR).toString(),
        "--built-bundle-dir", work.resolve("built").toString()));
    Path requirements = work.resolve(ExecutorMain.BUNDLE_DIR).resolve(".spool").resolve("requirements.txt");
    if ("build".equals(mode)) {
      command.addAll(List.of("--env-dir", work.resolve("env-new").toString()));
      if (Files.exists(requirements)) {
        command.addAll(List.of("--requirements", requirements.toString()));
      }
    } else if ("reuse".equals(mode)) {
      command.addAll(List.of("--env-on-path", work.resolve("env").toString()));
    }
    command.addAll(pipOptions(conf));
    if ("reuse".equals(mode)) {
      logReuse(work, hash, log);
    }
    log.append("[spool-build] " + String.join(" ", command));
    return log.start(command).waitFor();
  }

  /** Says that the build has nothing to install or compile: the environment of {@code hash} is reused, or none. */
  private static void nothingToBuild(Path work, String hash, BuildLog log) throws IOException {
    if ("-".equals(hash)) {
      log.append("[spool-build] nothing to build: no requirements and no Cython modules");
    } else {
      logReuse(work, hash, log);
    }
  }

  private static void logReuse(Path work, String hash, BuildLog log) throws IOException {
    Path requirements = work.resolve(ExecutorMain.BUNDLE_DIR).resolve(".spool").resolve("requirements.txt");
    List<String> lines = Files.exists(requirements) ? Files.readAllLines(requirements) : List.of();
    log.append("[spool-build] reused the environment " + hash + ", built before for the same image, requirements ("
        + String.join(", ", lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList())
        + ") and index settings: pip did not run");
  }

  /**
   * Imports {@code callable} from {@code bundle} with the worker's own loader, as an executor will, with
   * {@code environment} (or none) on {@code PYTHONPATH}; returns null if it imported and is callable, else the
   * reason, which names the file and line. The traceback goes to the build log.
   */
  private static String check(BuildLog log, Path worker, Path bundle, Path environment, String callable,
      long timeoutMs) throws IOException, InterruptedException {
    List<String> command = List.of(log.python(), "-u", "-B", worker.toString(), "--bundle", bundle.toString(),
        "--entrypoint", callable, "--check");
    log.append("[spool-build] checking the entrypoint " + callable + " as an executor imports it");
    Process check = log.start(command, environment == null ? Map.of() : Map.of("PYTHONPATH", environment.toString()));
    if (!check.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      check.descendants().forEach(ProcessHandle::destroyForcibly);
      check.destroyForcibly().waitFor();
      String reason = "importing the entrypoint " + callable + " took longer than " + timeoutMs / 1000.0
          + " s (" + SpoolConfig.BUILD_CHECK_TIMEOUT_MS + ")";
      log.append("[spool-build] " + reason);
      return reason;
    }
    String verdict = lastWithPrefix(logLines(log.file()), CHECK_PREFIX);
    if (check.exitValue() == 0 && verdict != null && verdict.startsWith("ok ")) {
      return null;
    }
    if (verdict != null && verdict.startsWith("failed ")) {
      return "the entrypoint " + callable + " cannot be loaded: " + verdict.substring("failed ".length());
    }
    return "checking the entrypoint " + callable + " failed with exit status " + check.exitValue();
  }

  private static String failed(int exit, String reason) {
    return JsonNodeFactory.instance.objectNode().put("exitCode", exit).put("reason", reason).toString();
  }

  /** pip's options from Spool's configuration (containers do not see the PIP_* variables of a login shell). */
  public static List<String> pipOptions(Configuration conf) {
    List<String> options = new ArrayList<>();
    String index = conf.getTrimmed(SpoolConfig.BUILD_PIP_INDEX_URL, SpoolConfig.BUILD_PIP_INDEX_URL_DEFAULT);
    if (!index.isEmpty()) {
      options.addAll(List.of("--index-url", index));
    }
    for (String url : conf.getTrimmedStrings(SpoolConfig.BUILD_PIP_EXTRA_INDEX_URLS)) {
      options.addAll(List.of("--extra-index-url", url));
    }
    for (String url : conf.getTrimmedStrings(SpoolConfig.BUILD_PIP_FIND_LINKS)) {
      options.addAll(List.of("--find-links", url));
    }
    String retries = conf.getTrimmed(SpoolConfig.BUILD_PIP_RETRIES, SpoolConfig.BUILD_PIP_RETRIES_DEFAULT);
    if (!retries.isEmpty()) {
      options.addAll(List.of("--retries", retries));
    }
    String timeout = conf.getTrimmed(SpoolConfig.BUILD_PIP_TIMEOUT, SpoolConfig.BUILD_PIP_TIMEOUT_DEFAULT);
    if (!timeout.isEmpty()) {
      options.addAll(List.of("--timeout", timeout));
    }
    return options;
  }

  private static void store(BlobStore blobs, Path work, String owner, String functionId, String hash, String mode,
      BuildLog log) throws IOException, InterruptedException {
    if ("build".equals(mode)) {
      Path env = work.resolve("env-new");
      Files.createDirectories(env);
      Path tgz = work.resolve("env.tgz");
      List<String> tar = List.of("tar", "-czf", tgz.toString(), "-C", env.toString(), ".");
      Process packing = log.start(tar);
      if (!packing.waitFor(10, TimeUnit.MINUTES) || packing.exitValue() != 0) {
        throw new IOException(String.join(" ", tar) + " failed (see the build log)");
      }
      String target = BlobStore.environment(hash);
      String temporary = target + "." + System.nanoTime() + ".tmp";
      blobs.upload(tgz, temporary);
      // environments hold no user data: readable by all, so that NodeManagers cache them for every function
      blobs.fileSystem().setPermission(blobs.resolve(temporary), new FsPermission((short) 0644));
      blobs.fileSystem().setPermission(blobs.resolve(temporary).getParent(), new FsPermission((short) 0755));
      if (!blobs.fileSystem().rename(blobs.resolve(temporary), blobs.resolve(target))) {
        blobs.delete(temporary, false);
      }
      log.append("[spool-build] stored the environment " + hash + " (" + Files.size(tgz) / 1024 + " KiB packed)");
    }
    Path zip = work.resolve("bundle-built.zip");
    zip(work.resolve("built"), zip);
    blobs.upload(zip, BlobStore.builtBundle(owner, functionId));
  }

  private static void zip(Path dir, Path zip) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
         Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new ZipEntry(dir.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
  }

  /**
   * The build script's result line, or a summary of the failure: the last line that says what went wrong (lines
   * read without their timestamps).
   */
  private static String result(Path log, int exit) throws IOException {
    List<String> lines = logLines(log);
    ObjectNode result = JsonNodeFactory.instance.objectNode().put("exitCode", exit);
    String built = lastWithPrefix(lines, RESULT_PREFIX);
    if (built != null) {
      result.set("result", Json.tree(built.getBytes(StandardCharsets.UTF_8)));
      return result.toString();
    }
    String reason = "";
    for (int i = lines.size() - 1; i >= 0 && reason.isEmpty(); i--) {
      String line = lines.get(i);
      if (line.startsWith("[spool-build") && (line.contains(" failed (") || line.contains(" failed for ")
          || line.contains("] error: "))) {
        reason = line.substring(line.indexOf(']') + 1).trim();
      }
    }
    return result.put("reason", reason.isEmpty() ? "the build failed with exit status " + exit : reason).toString();
  }

  /** The build log's lines without their timestamps (none if there is no log). */
  private static List<String> logLines(Path log) throws IOException {
    List<String> lines = new ArrayList<>();
    if (Files.exists(log)) {
      for (String line : new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n")) {
        lines.add(LogLines.strip(line));
      }
    }
    return lines;
  }

  /** What follows {@code prefix} on the last line that starts with it, or null. */
  private static String lastWithPrefix(List<String> lines, String prefix) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith(prefix)) {
        return lines.get(i).substring(prefix.length());
      }
    }
    return null;
  }
}
