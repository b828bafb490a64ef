package io.spool.client.internal;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads pip requirement lines — given as a list or as a requirements file — into their validated canonical form, in
 * order. As in pip: a line ending in {@code \} continues on the next one, {@code #} starts a comment (at the start of
 * a line or after a space), blank lines are skipped.
 */
final class Requirements {

  /** What a valid line looks like, for messages. */
  static final String VALID_LINE = "a valid line is a PEP 508 requirement such as numpy, pandas[parquet]>=2.0,<3,"
      + " scipy~=1.11; python_version >= \"3.9\" or pkg @ https://host/pkg-1.0-py3-none-any.whl, or one of the pip"
      + " options --index-url URL, --extra-index-url URL, --find-links URL, --pre, --no-binary NAMES,"
      + " --only-binary NAMES, --trusted-host HOST";

  private static final Pattern COMMENT = Pattern.compile("(^|\\s+)#.*$");

  private Requirements() {}

  /**
   * The canonical form of requirement lines given as a list.
   *
   * @throws IllegalArgumentException quoting the first invalid line and its number
   */
  static List<String> fromLines(List<String> lines) {
    return normalize(lines, "requirements line ");
  }

  /**
   * The canonical form of a requirements file's lines (UTF-8).
   *
   * @throws IllegalArgumentException if the file does not exist, or quoting its first invalid line and its number
   */
  static List<String> fromFile(Path file) throws IOException {
    Path absolute = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(absolute)) {
      throw new IllegalArgumentException("requirements file " + absolute
          + (Files.exists(absolute) ? " is not a regular file" : " does not exist"));
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(absolute, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("requirements file " + absolute + " is not UTF-8 text", e);
    }
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
      lines.set(0, lines.get(0).substring(1));
    }
    return normalize(lines, "requirements file " + absolute + ", line ");
  }

  private static List<String> normalize(List<String> lines, String where) {
    List<String> normalized = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    int first = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (first == 0) {
        first = i + 1;
      }
      if (isComment(line)) {
        logical.append(' ').append(line);
      } else if (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1);
        continue;
      } else {
        logical.append(line);
      }
      add(normalized, logical.toString(), where + first);
      logical.setLength(0);
      first = 0;
    }
    add(normalized, logical.toString(), where + first);
    return normalized;
  }

  private static boolean isComment(String line) {
    return line.stripLeading().startsWith("#");
  }

  private static void add(List<String> normalized, String line, String where) {
    String content = COMMENT.matcher(line).replaceFirst("").strip();
    if (content.isEmpty()) {
      return;
    }
    try {
      normalized.add(content.startsWith("-") ? PipOptions.normalize(content) : Pep508.normalize(content));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " '" + content + "': " + e.getMessage() + "; " + VALID_LINE, e);
    }
  }
}
