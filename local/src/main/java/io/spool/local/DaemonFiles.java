package io.spool.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The files through which the embedded-cluster daemon tells others about itself, all in its data directory:
 * {@code daemon.pid}, {@code ready} (holding the client configuration's path), {@code failed} and {@code daemon.log};
 * and {@code start.lock}, which a starter holds so that two starts of one directory do not race.
 */
final class DaemonFiles {

  static final String PID_FILE = "daemon.pid";
  static final String READY_FILE = "ready";
  static final String FAILED_FILE = "failed";
  static final String LOG_FILE = "daemon.log";
  static final String START_LOCK_FILE = "start.lock";

  private final Path dir;

  DaemonFiles(Path dataDir) {
    this.dir = dataDir.toAbsolutePath().normalize();
  }

  Path dir() {
    return dir;
  }

  Path pidFile() {
    return dir.resolve(PID_FILE);
  }

  Path readyFile() {
    return dir.resolve(READY_FILE);
  }

  Path failedFile() {
    return dir.resolve(FAILED_FILE);
  }

  Path logFile() {
    return dir.resolve(LOG_FILE);
  }

  Path startLockFile() {
    return dir.resolve(START_LOCK_FILE);
  }

  void writePid(long pid) throws IOException {
    writeAtomically(pidFile(), Long.toString(pid));
  }

  void writeReady(Path confFile) throws IOException {
    writeAtomically(readyFile(), confFile.toString());
  }

  void writeFailed(Throwable error) throws IOException {
    StringWriter trace = new StringWriter();
    try (PrintWriter out = new PrintWriter(trace)) {
      error.printStackTrace(out);
    }
    writeAtomically(failedFile(), trace.toString());
  }

  /** The pid in {@code daemon.pid}, if the file exists and holds a number. */
  OptionalLong readPid() throws IOException {
    Optional<String> text = read(pidFile());
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The client configuration path in {@code ready}, if the daemon has said it is ready. */
  Optional<Path> readReady() throws IOException {
    return read(readyFile()).map(String::trim).filter(text -> !text.isEmpty()).map(Paths::get);
  }

  /** The error in {@code failed}, if the daemon failed to start. */
  Optional<String> readFailed() throws IOException {
    return read(failedFile());
  }

  /** Removes {@code daemon.pid} and {@code ready}: the daemon is stopping. */
  void clearRunning() throws IOException {
    Files.deleteIfExists(readyFile());
    Files.deleteIfExists(pidFile());
  }

  /** Removes {@code daemon.pid}, {@code ready} and {@code failed}, left behind by a daemon that is gone. */
  void clearState() throws IOException {
    clearRunning();
    Files.deleteIfExists(failedFile());
  }

  /** The last {@code count} lines of {@code daemon.log}, or a note that there is none. */
  String logTail(int count) {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - count), lines.size()));
    } catch (NoSuchFileException e) {
      return "(no " + logFile() + ")";
    } catch (IOException e) {
      return "(could not read " + logFile() + ": " + e.getMessage() + ")";
    }
  }

  private static Optional<String> read(Path file) throws IOException {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    AtomicFiles.write(file, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
  }
}
