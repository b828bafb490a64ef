package io.spool.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The line format of Spool's logs, shared with the Python log pump ({@value #PUMP_SCRIPT}): every line starts with
 * its UTC time to the millisecond and one space, {@code 2026-11-24T07:05:01.123Z hello}.
 */
public final class LogLines {

  /** The log pump among the worker's files; also a wrapper that runs a command with its output pumped into a log. */
  static final String PUMP_SCRIPT = "spool_logs.py";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z ");

  private LogLines() {}

  /** {@code 2026-11-24T07:05:01.123Z}. */
  static String timestamp(Instant at) {
    return TIME.format(at);
  }

  /** Each line of {@code text} with the timestamp {@code at} in front, each ending with a newline. */
  public static String timestamped(Instant at, String text) {
    String prefix = timestamp(at) + " ";
    StringBuilder lines = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      lines.append(prefix).append(line).append('\n');
    }
    return lines.toString();
  }

  /** Appends {@code text} to {@code log} (created if missing), timestamped now. */
  static void append(Path log, String text) throws IOException {
    Files.writeString(log, timestamped(Instant.now(), text), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** A line of a log without its timestamp (a line without one is returned as it is). */
  static String strip(String line) {
    return TIMESTAMP.matcher(line).replaceFirst("");
  }

  /**
   * The command line that runs {@code command} with its stdout and stderr appended to {@code log} through the log
   * pump {@code pumpScript} on {@code python}: timestamped, and capped at {@code maxBytes} (0 for no cap). It exits
   * with the command's exit status.
   */
  static List<String> pumped(String python, Path pumpScript, Path log, long maxBytes, List<String> command) {
    List<String> line = new ArrayList<>(List.of(python, "-u", "-B", pumpScript.toString(), "--out", log.toString(),
        "--max-bytes", String.valueOf(Math.max(0, maxBytes)), "--"));
    line.addAll(command);
    return line;
  }
}
