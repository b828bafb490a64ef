package io.spool.bench;

import io.spool.appmaster.FunctionMaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of a function's master JVM, read with the JDK's {@code jcmd} ({@code GC.class_histogram}, which runs
 * a full GC first and then counts the objects left on the heap). Works only where the master runs on this machine as
 * this user (the embedded cluster): {@link #find} says why it cannot otherwise.
 */
final class MasterHeap {

  /** The master's main class, as its container's command line names it. */
  static final String MASTER_CLASS = FunctionMaster.class.getName();

  /** Full GCs in a row that {@link #liveHistogram} runs: HotSpot's default MarkSweepAlwaysCompactCount. */
  static final int FULL_GCS = 4;

  private static final long JCMD_TIMEOUT_S = 60;
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
  private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

  /**
   * A class histogram: instances and bytes per class, and the totals.
   *
   * @param instances live instances by class name
   * @param bytes live bytes by class name
   * @param totalInstances all live instances
   * @param totalBytes all live bytes
   */
  record Histogram(Map<String, Long> instances, Map<String, Long> bytes, long totalInstances, long totalBytes) {

    long instancesOf(String className) {
      return instances.getOrDefault(className, 0L);
    }
  }

  private final long pid;
  private final Path jcmd;

  private MasterHeap(long pid, Path jcmd) {
    this.pid = pid;
    this.jcmd = jcmd;
  }

  /**
   * The master JVM of {@code functionId} on this machine: the one live {@code java} process whose command line runs
   * {@link #MASTER_CLASS} with the function's id. Throws {@link IllegalStateException} with the reason if there is
   * none (a master on another machine, of another user) or several, or if this JDK has no {@code jcmd}.
   */
  static MasterHeap find(String functionId) {
    Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      throw new IllegalStateException("this Java (" + System.getProperty("java.home") + ") has no bin/jcmd");
    }
    List<ProcessHandle> masters = ProcessHandle.allProcesses()
        .filter(p -> isMasterOf(p.info(), functionId))
        .toList();
    if (masters.isEmpty()) {
      throw new IllegalStateException("no JVM running " + MASTER_CLASS + " " + functionId
          + " is visible on this machine (is the master on another node of a real cluster?)");
    }
    if (masters.size() > 1) {
      throw new IllegalStateException(masters.size() + " JVMs run " + MASTER_CLASS + " " + functionId + ": pids "
          + masters.stream().map(p -> Long.toString(p.pid())).toList());
    }
    return new MasterHeap(masters.get(0).pid(), jcmd);
  }

  private static boolean isMasterOf(ProcessHandle.Info info, String functionId) {
    Optional<String> command = info.command();
    Optional<String[]> arguments = info.arguments();
    if (command.isEmpty() || !command.get().endsWith("/java") || arguments.isEmpty()) {
      return false;
    }
    List<String> args = Arrays.asList(arguments.get());
    int main = args.indexOf(MASTER_CLASS);
    return main >= 0 && main + 1 < args.size() && args.get(main + 1).equals(functionId);
  }

  long pid() {
    return pid;
  }

  /** Whether the master's process is still alive. */
  boolean alive() {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * The histogram of live objects after a full GC of the master that compacted its whole heap: the smallest of
   * {@link #FULL_GCS} histograms in a row. The master runs the serial collector, whose full GC leaves up to
   * {@code MarkSweepDeadRatio} (5%) of the old generation as dead space, filled with {@code int[]} objects that a
   * histogram counts as live, except every {@code MarkSweepAlwaysCompactCount}th (4th) full GC, which compacts
   * everything; one of four full GCs in a row is such a one.
   */
  Histogram liveHistogram() throws IOException, InterruptedException {
    Histogram smallest = null;
    for (int i = 0; i < FULL_GCS; i++) {
      Histogram h = parse(run("GC.class_histogram"));
      if (smallest == null || h.totalBytes() < smallest.totalBytes()) {
        smallest = h;
      }
    }
    return smallest;
  }

  /** The histogram of every object on the master's heap, reachable or not (no GC: cheaper, for polling). */
  Histogram allObjectsHistogram() throws IOException, InterruptedException {
    return parse(run("GC.class_histogram", "-all"));
  }

  private String run(String... command) throws IOException, InterruptedException {
    String[] line = new String[command.length + 2];
    line[0] = jcmd.toString();
    line[1] = Long.toString(pid);
    System.arraycopy(command, 0, line, 2, command.length);
    Path output = Files.createTempFile("spool-bench-jcmd", ".txt");
    try {
      Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(JCMD_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", line) + " did not finish in " + JCMD_TIMEOUT_S + " s");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IOException(String.join(" ", line) + " exited with " + process.exitValue() + ": " + text.strip());
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  static Histogram parse(String text) throws IOException {
    Map<String, Long> instances = new HashMap<>();
    Map<String, Long> bytes = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        instances.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
        bytes.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
        continue;
      }
      Matcher total = TOTAL.matcher(line.strip());
      if (total.matches()) {
        return new Histogram(instances, bytes, Long.parseLong(total.group(1)), Long.parseLong(total.group(2)));
      }
    }
    throw new IOException("no class histogram in jcmd's output: " + text.strip());
  }
}
