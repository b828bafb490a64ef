package io.spool.client.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** The files of a bundle being made, by their path in the zip: one source file per path, sorted by path. */
final class BundleEntries {

  /** Whether an entry is Python code (a module, or the entrypoint's file) or data. */
  enum Kind { MODULE, DATA }

  /** The directory of the bundle that Spool writes itself. */
  static final String SPOOL_DIR = ".spool/";

  private record Entry(Path source, Path realSource, Kind kind, String rule) {}

  private final SortedMap<String, Entry> entries = new TreeMap<>();

  /**
   * Adds {@code source} as {@code path}; the same file again under the same path is kept once.
   *
   * @param rule what brought the file, for messages ({@code includeData 'data/*.csv'})
   * @throws IllegalArgumentException if another file already has that path, or the path is Spool's own
   */
  void add(String path, Path source, Kind kind, String rule) throws IOException {
    checkRelative(path);
    if (path.startsWith(SPOOL_DIR)) {
      throw new IllegalArgumentException(rule + " would ship " + path + ", but the bundle's " + SPOOL_DIR
          + " directory is Spool's own: leave that file out");
    }
    Path real = source.toRealPath();
    Entry existing = entries.get(path);
    if (existing == null) {
      entries.put(path, new Entry(source, real, kind, rule));
    } else if (!existing.realSource().equals(real)) {
      throw new IllegalArgumentException("bundle path " + path + " would hold both " + existing.source() + " ("
          + existing.rule() + ") and " + source + " (" + rule + "): leave one of them out");
    }
  }

  boolean contains(String path) {
    return entries.containsKey(path);
  }

  /** The path under which {@code file} was added as {@code kind}, if it was. */
  Optional<String> pathOf(Path file, Kind kind) throws IOException {
    Path real = file.toRealPath();
    return entries.entrySet().stream()
        .filter(e -> e.getValue().kind() == kind && e.getValue().realSource().equals(real))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** The paths added as {@code kind}, sorted. */
  List<String> paths(Kind kind) {
    List<String> paths = new ArrayList<>();
    entries.forEach((path, entry) -> {
      if (entry.kind() == kind) {
        paths.add(path);
      }
    });
    return paths;
  }

  /** Every path with its source file, sorted by path. */
  SortedMap<String, Path> sources() {
    SortedMap<String, Path> sources = new TreeMap<>();
    entries.forEach((path, entry) -> sources.put(path, entry.source()));
    return Collections.unmodifiableSortedMap(sources);
  }

  /** The path of {@code file} relative to {@code root}, with {@code /} separators. */
  static String relativePath(Path root, Path file) {
    List<String> names = new ArrayList<>();
    root.relativize(file).forEach(name -> names.add(name.toString()));
    return String.join("/", names);
  }

  private static void checkRelative(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalStateException("not a relative file path: '" + path + "'");
    }
    for (String name : path.split("/")) {
      if (name.isEmpty() || name.equals(".") || name.equals("..")) {
        throw new IllegalStateException("not a normalized relative file path: '" + path + "'");
      }
    }
  }
}
