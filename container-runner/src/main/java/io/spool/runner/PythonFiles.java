package io.spool.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Copies a directory of Python files out of this jar; the directory lists its files, one relative path a line
 * (packages as {@code pkg/__init__.py}), in a {@code FILES} entry.
 */
final class PythonFiles {

  private PythonFiles() {}

  /** Extracts the resource directory {@code resourceDir} (ending in {@code /}) into {@code dir}. */
  static Path extract(String resourceDir, Path dir) throws IOException {
    Files.createDirectories(dir);
    String list;
    try (InputStream in = resource(resourceDir + "FILES")) {
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String line : list.split("\n")) {
      String file = line.trim();
      if (!file.isEmpty()) {
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        try (InputStream src = resource(resourceDir + file)) {
          Files.copy(src, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return dir;
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = PythonFiles.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException("the runner's jar lacks " + name);
    }
    return in;
  }
}
