package io.spool.client;

import java.util.regex.Pattern;

/** The line format of stored logs: every line starts with its UTC time, {@code 2026-11-24T07:05:01.123Z }. */
final class LogText {

  private static final Pattern TIMESTAMP = Pattern.compile(
      "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z ", Pattern.MULTILINE);

  private LogText() {}

  /** The log as stored, or without the timestamp at the start of each line. */
  static String format(String log, boolean timestamps) {
    return timestamps ? log : TIMESTAMP.matcher(log).replaceAll("");
  }
}
