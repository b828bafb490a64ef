package io.spool.client.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Checks a pip option line of a requirements list against the options Spool allows, and gives its canonical text. */
final class PipOptions {

  /** The options that take a value, by every spelling, to their canonical spelling. */
  private static final Map<String, String> WITH_VALUE = Map.of(
      "-i", "--index-url", "--index-url", "--index-url",
      "--extra-index-url", "--extra-index-url",
      "-f", "--find-links", "--find-links", "--find-links",
      "--no-binary", "--no-binary",
      "--only-binary", "--only-binary",
      "--trusted-host", "--trusted-host");
  private static final String FLAG = "--pre";

  private PipOptions() {}

  /**
   * The canonical text of an option line: {@code -i URL} and {@code --index-url=URL} both give
   * {@code --index-url URL}.
   *
   * @throws IllegalArgumentException if the option is not allowed, lacks its value or has too many
   */
  static String normalize(String line) {
    List<String> words = Arrays.asList(line.strip().split("[ \t]+"));
    String option = words.get(0);
    String value = null;
    int equals = option.indexOf('=');
    if (option.startsWith("--") && equals > 0) {
      value = option.substring(equals + 1);
      option = option.substring(0, equals);
    } else if (!option.startsWith("--") && option.length() > 2) {
      value = option.substring(2);
      option = option.substring(0, 2);
    }
    List<String> rest = words.subList(1, words.size());
    if (option.equals(FLAG)) {
      if (value != null || !rest.isEmpty()) {
        throw new IllegalArgumentException(FLAG + " takes no value");
      }
      return FLAG;
    }
    String canonical = WITH_VALUE.get(option);
    if (canonical == null) {
      throw new IllegalArgumentException(notAllowed(option));
    }
    if (value == null) {
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      value = rest.get(0);
      rest = rest.subList(1, rest.size());
    }
    if (value.isEmpty() || !rest.isEmpty()) {
      throw new IllegalArgumentException(option + " takes exactly one value");
    }
    return canonical + " " + value;
  }

  private static String notAllowed(String option) {
    return switch (option) {
      case "-r", "--requirement" -> "nested requirements files (" + option + ") are not supported: list their lines";
      case "-e", "--editable" -> "editable installs (" + option + ") are not supported: ship local code with"
          + " includeModules, or give name @ URL";
      case "-c", "--constraint" -> "constraints files (" + option + ") are not supported";
      default -> "the pip option " + option + " is not allowed";
    };
  }
}
