package io.spool.client.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A function's entrypoint: a Python file and a function name ({@code path/to/hello.py:hello}). The file is shipped
 * whole as a top-level module of the bundle, so the worker calls {@code hello:hello}.
 *
 * @param file the Python file
 * @param function the function's name in it
 */
public record Entrypoint(Path file, String function) {

  /** Parses and checks an entrypoint; the error says what form is expected. */
  public static Entrypoint parse(String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("entrypoint '" + text
          + "' must be a Python file and a function name, e.g. examples/hello/hello.py:hello");
    }
    String function = text.substring(colon + 1);
    if (!function.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("entrypoint '" + text + "': '" + function + "' is not a Python function name");
    }
    Path file = Paths.get(text.substring(0, colon));
    if (!file.getFileName().toString().endsWith(".py")) {
      throw new IllegalArgumentException("entrypoint '" + text + "': " + file + " is not a .py file");
    }
    String module = file.getFileName().toString().replaceFirst("\\.py$", "");
    if (!module.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("entrypoint '" + text + "': the file name " + file.getFileName()
          + " cannot be imported as a Python module (use letters, digits and _)");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("entrypoint file " + file.toAbsolutePath() + " does not exist");
    }
    return new Entrypoint(file.toAbsolutePath().normalize(), function);
  }

  /** The module name the file is shipped as. */
  public String module() {
    return file.getFileName().toString().replaceFirst("\\.py$", "");
  }

  /** What the worker imports and calls: {@code module:function}. */
  public String callable() {
    return module() + ":" + function;
  }
}
