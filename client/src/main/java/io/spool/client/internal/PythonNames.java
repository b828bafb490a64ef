package io.spool.client.internal;

/** Checks of Python names: identifiers ({@code hello}) and dotted import names ({@code pkg.mod}). */
final class PythonNames {

  private PythonNames() {}

  /** Whether {@code name} is a Python identifier: a letter or {@code _}, then letters, digits or {@code _}. */
  static boolean isIdentifier(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    int first = name.codePointAt(0);
    if (first != '_' && !Character.isUnicodeIdentifierStart(first)) {
      return false;
    }
    return name.codePoints().skip(1)
        .allMatch(c -> Character.isUnicodeIdentifierPart(c) && !Character.isIdentifierIgnorable(c));
  }

  /** Whether {@code name} is one or more identifiers joined by dots. */
  static boolean isDottedName(String name) {
    if (name == null || name.isEmpty() || name.startsWith(".") || name.endsWith(".")) {
      return false;
    }
    for (String part : name.split("\\.", -1)) {
      if (!isIdentifier(part)) {
        return false;
      }
    }
    return true;
  }
}
