package io.spool.client.internal;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A function's entrypoint, in one of two forms.
 *
 * <ul>
 *   <li>A <b>file and function</b>, {@code path/to/hello.py:hello}: the file is shipped whole, as the top-level
 *       module {@code hello} of the bundle, or where it lies if it belongs to an included package (see
 *       {@link Bundler}).
 *   <li>A <b>qualified name</b>, {@code pkg.mod.func}: the function {@code func} of the module {@code pkg.mod},
 *       imported from the bundle's included modules or from the image.
 * </ul>
 *
 * {@link #parse(String)} checks what can be checked without the bundle; {@link Bundler} checks the rest.
 *
 * @param file the Python file, absolute; {@code null} for a qualified name
 * @param module the module the worker imports, dotted
 * @param function the function's name in that module
 */
public record Entrypoint(Path file, String module, String function) {

  private static final String FORMS = "path/to/file.py:function or a qualified name pkg.module.function";

  public Entrypoint {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(function, "function");
  }

  /**
   * Parses an entrypoint; for a file, checks that it exists.
   *
   * @throws IllegalArgumentException saying what is wrong and which forms are expected
   */
  public static Entrypoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the entrypoint is empty: give " + FORMS);
    }
    String entrypoint = text.strip();
    int colon = entrypoint.lastIndexOf(':');
    return colon >= 0 ? parseFile(entrypoint, colon) : parseQualified(entrypoint);
  }

  private static Entrypoint parseFile(String text, int colon) {
    String path = text.substring(0, colon);
    String function = text.substring(colon + 1);
    if (path.isEmpty()) {
      throw new IllegalArgumentException("entrypoint '" + text + "' has no file before ':': give " + FORMS);
    }
    if (function.isEmpty()) {
      throw new IllegalArgumentException("entrypoint '" + text + "' has no function name after ':': give " + FORMS);
    }
    if (!PythonNames.isIdentifier(function)) {
      throw new IllegalArgumentException("entrypoint '" + text + "': '" + function
          + "' is not a Python function name (letters, digits and _, not starting with a digit)");
    }
    Path file;
    try {
      file = Path.of(path).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("entrypoint '" + text + "': '" + path + "' is not a file path", e);
    }
    String fileName = file.getFileName() == null ? path : file.getFileName().toString();
    if (!fileName.endsWith(".py")) {
      String hint = PythonNames.isDottedName(path) ? " (for a qualified name, write " + path + "." + function + ")" : "";
      throw new IllegalArgumentException("entrypoint '" + text + "': " + fileName + " is not a .py file" + hint);
    }
    String module = fileName.substring(0, fileName.length() - ".py".length());
    if (!PythonNames.isIdentifier(module)) {
      throw new IllegalArgumentException("entrypoint '" + text + "': the file name " + fileName
          + " cannot be imported as a Python module (rename it with letters, digits and _)");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("entrypoint file " + file
          + (Files.exists(file) ? " is not a regular file" : " does not exist"));
    }
    return new Entrypoint(file, module, function);
  }

  private static Entrypoint parseQualified(String text) {
    if (text.endsWith(".py")) {
      throw new IllegalArgumentException("entrypoint '" + text + "' names a file but no function: give "
          + text + ":function");
    }
    int lastDot = text.lastIndexOf('.');
    if (lastDot < 0 || !PythonNames.isDottedName(text)) {
      throw new IllegalArgumentException("entrypoint '" + text + "' must be " + FORMS
          + " (a module and a function, at least)");
    }
    return new Entrypoint(null, text.substring(0, lastDot), text.substring(lastDot + 1));
  }

  /** Whether this is a file entrypoint, whose file is shipped in the bundle. */
  public boolean isFile() {
    return file != null;
  }

  /** What the worker imports and calls: {@code module:function}. */
  public String callable() {
    return module + ":" + function;
  }

  /** This file entrypoint, imported as {@code dottedModule} because its file lies inside an included package. */
  Entrypoint inModule(String dottedModule) {
    return new Entrypoint(file, dottedModule, function);
  }
}
