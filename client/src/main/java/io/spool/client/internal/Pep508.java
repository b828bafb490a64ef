package io.spool.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one PEP 508 requirement — {@code name[extras] specifiers ; marker} or {@code name[extras] @ url ; marker}
 * — into its canonical text: no spaces inside the specifiers, parentheses dropped, the marker spaced evenly.
 * Versions are checked the way pip's {@code packaging} checks them (PEP 440).
 */
final class Pep508 {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");
  private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://\\S+|file:\\S+");
  private static final Set<String> OPERATORS = Set.of("===", "==", "!=", "<=", ">=", "~=", "<", ">");
  private static final String OPERATOR_CHARS = "=!<>~";
  private static final Set<String> MARKER_VARIABLES = Set.of("python_version", "python_full_version", "os_name",
      "sys_platform", "platform_release", "platform_system", "platform_version", "platform_machine",
      "platform_python_implementation", "implementation_name", "implementation_version", "extra",
      "os.name", "sys.platform", "platform.version", "platform.machine", "platform.python_implementation",
      "python_implementation");

  private static final String RELEASE = "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*";
  private static final String PRE = "(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?";
  private static final String POST = "(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?";
  private static final String DEV = "(?:[-_.]?dev[-_.]?[0-9]*)?";
  private static final String LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";
  private static final Pattern EQUALITY_VERSION =
      Pattern.compile(RELEASE + "(?:\\.\\*|" + PRE + POST + DEV + LOCAL + ")", Pattern.CASE_INSENSITIVE);
  private static final Pattern COMPATIBLE_VERSION =
      Pattern.compile("v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+" + PRE + POST + DEV, Pattern.CASE_INSENSITIVE);
  private static final Pattern ORDERED_VERSION = Pattern.compile(RELEASE + PRE + POST + DEV, Pattern.CASE_INSENSITIVE);

  private final String text;
  private int pos;

  private Pep508(String text) {
    this.text = text;
  }

  /**
   * The canonical text of a requirement.
   *
   * @throws IllegalArgumentException saying what is wrong and where
   */
  static String normalize(String requirement) {
    return new Pep508(requirement).requirement();
  }

  private String requirement() {
    skipSpaces();
    StringBuilder out = new StringBuilder(name("a package name"));
    skipSpaces();
    if (peek('[')) {
      out.append(extras());
      skipSpaces();
    }
    boolean url = peek('@');
    if (url) {
      pos++;
      skipSpaces();
      String link = readWhile(c -> !Character.isWhitespace(c));
      if (link.isEmpty()) {
        throw error("expected a URL after '@'");
      }
      if (!URL.matcher(link).matches()) {
        throw error("'" + link + "' is not a URL such as https://host/pkg-1.0-py3-none-any.whl");
      }
      if (link.endsWith(";")) {
        throw error("put a space between the URL and ';'");
      }
      out.append(" @ ").append(link);
    } else if (peek('(')) {
      pos++;
      out.append(specifiers());
      skipSpaces();
      expect(')', "expected ')' after the versions");
    } else if (atOperator()) {
      out.append(specifiers());
    }
    skipSpaces();
    if (peek(';')) {
      pos++;
      out.append(url ? " ; " : "; ").append(markerOr());
      skipSpaces();
    }
    if (!atEnd()) {
      throw error("unexpected '" + text.substring(pos) + "' after '" + text.substring(0, pos).strip() + "'");
    }
    return out.toString();
  }

  private String name(String what) {
    Matcher name = NAME.matcher(text).region(pos, text.length());
    if (!name.lookingAt()) {
      throw error("expected " + what + " (letters, digits, and . _ - inside)");
    }
    pos = name.end();
    return name.group();
  }

  private String extras() {
    pos++;
    List<String> extras = new ArrayList<>();
    skipSpaces();
    if (!peek(']')) {
      do {
        skipSpaces();
        extras.add(name("an extra's name"));
        skipSpaces();
      } while (consume(','));
    }
    expect(']', "expected ',' or ']' in the extras");
    return extras.isEmpty() ? "" : "[" + String.join(",", extras) + "]";
  }

  private String specifiers() {
    List<String> specifiers = new ArrayList<>();
    do {
      skipSpaces();
      String operator = operator();
      skipSpaces();
      String version = readWhile(c -> !Character.isWhitespace(c) && c != ',' && c != ';' && c != ')');
      if (version.isEmpty()) {
        throw error("expected a version after '" + operator + "'");
      }
      checkVersion(operator, version);
      specifiers.add(operator + version);
      skipSpaces();
    } while (consume(','));
    return String.join(",", specifiers);
  }

  private String operator() {
    int start = pos;
    String operator = readWhile(c -> OPERATOR_CHARS.indexOf(c) >= 0);
    if (operator.isEmpty()) {
      throw error("expected a version operator (one of ===, ==, !=, <=, >=, ~=, <, >)");
    }
    if (!OPERATORS.contains(operator)) {
      pos = start;
      throw error("'" + operator + "' is not a version operator (use one of ===, ==, !=, <=, >=, ~=, <, >)");
    }
    return operator;
  }

  private void checkVersion(String operator, String version) {
    boolean valid = switch (operator) {
      case "===" -> true;
      case "==", "!=" -> EQUALITY_VERSION.matcher(version).matches();
      case "~=" -> COMPATIBLE_VERSION.matcher(version).matches();
      default -> ORDERED_VERSION.matcher(version).matches();
    };
    if (!valid) {
      String example = switch (operator) {
        case "==", "!=" -> "1.2, 1.2.3rc1 or 1.2.*";
        case "~=" -> "1.4 or 1.4.2 (at least two parts)";
        default -> "1.2 or 1.2.3rc1 (no .* and no +local)";
      };
      throw error("'" + version + "' is not a version for '" + operator + "': expected a PEP 440 version such as "
          + example);
    }
  }

  private String markerOr() {
    StringBuilder out = new StringBuilder(markerAnd());
    while (keyword("or")) {
      out.append(" or ").append(markerAnd());
    }
    return out.toString();
  }

  private String markerAnd() {
    StringBuilder out = new StringBuilder(markerExpression());
    while (keyword("and")) {
      out.append(" and ").append(markerExpression());
    }
    return out.toString();
  }

  private String markerExpression() {
    skipSpaces();
    if (consume('(')) {
      String inner = markerOr();
      skipSpaces();
      expect(')', "expected ')' in the marker");
      return "(" + inner + ")";
    }
    String left = markerValue();
    String operator = markerOperator();
    String right = markerValue();
    return left + " " + operator + " " + right;
  }

  private String markerValue() {
    skipSpaces();
    if (peek('"') || peek('\'')) {
      char quote = text.charAt(pos);
      int end = text.indexOf(quote, pos + 1);
      if (end < 0) {
        throw error("the marker has a string with no closing " + quote);
      }
      String value = text.substring(pos + 1, end);
      pos = end + 1;
      return value.indexOf('"') >= 0 ? "'" + value + "'" : "\"" + value + "\"";
    }
    String variable = readWhile(c -> Character.isLetterOrDigit(c) || c == '_' || c == '.');
    if (!MARKER_VARIABLES.contains(variable)) {
      pos -= variable.length();
      throw error((variable.isEmpty() ? "expected" : "'" + variable + "' is not")
          + " a marker variable (python_version, sys_platform, platform_system, platform_machine,"
          + " implementation_name, extra, ...) or a quoted string");
    }
    return variable;
  }

  private String markerOperator() {
    skipSpaces();
    if (atOperator()) {
      return operator();
    }
    if (keyword("in")) {
      return "in";
    }
    if (keyword("not") && keyword("in")) {
      return "not in";
    }
    throw error("expected a comparison in the marker (==, !=, <, <=, >, >=, ~=, in, not in)");
  }

  private boolean keyword(String word) {
    int start = pos;
    skipSpaces();
    int end = pos + word.length();
    if (text.startsWith(word, pos) && (end == text.length() || !isWordChar(text.charAt(end)))) {
      pos = end;
      return true;
    }
    pos = start;
    return false;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.';
  }

  private boolean atOperator() {
    return !atEnd() && OPERATOR_CHARS.indexOf(text.charAt(pos)) >= 0;
  }

  private int skipSpaces() {
    return readWhile(c -> c == ' ' || c == '\t').length();
  }

  private String readWhile(CharTest test) {
    int start = pos;
    while (pos < text.length() && test.accepts(text.charAt(pos))) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private boolean peek(char c) {
    return !atEnd() && text.charAt(pos) == c;
  }

  private boolean consume(char c) {
    if (peek(c)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c, String message) {
    if (!consume(c)) {
      throw error(message);
    }
  }

  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException(message + (atEnd() ? " at the end" : " at column " + (pos + 1)));
  }

  @FunctionalInterface
  private interface CharTest {
    boolean accepts(char c);
  }
}
