package io.spool.client.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Finds included data files by glob pattern, relative to the python path's roots; a file keeps its path relative to
 * its root, and where several roots have the same path the first root's file wins. {@code **} matches any number of
 * directories, none included; hidden files and directories and {@code __pycache__} are matched only by a pattern
 * that names them.
 */
final class DataCollector {

  private final List<Path> roots;

  /** @param roots the python path, absolute, in import order */
  DataCollector(List<Path> roots) {
    this.roots = List.copyOf(roots);
  }

  /**
   * Adds the files that {@code pattern} matches.
   *
   * @return a warning if a glob matched no file
   * @throws IllegalArgumentException if the pattern leaves the roots, names a directory, is a plain path that
   *     matches no file, or is not a valid glob
   */
  Optional<String> add(String pattern, BundleEntries entries) throws IOException {
    String rule = "includeData '" + pattern + "'";
    String relative = checkedRelative(pattern, rule);
    return isGlob(relative) ? addGlob(relative, rule, entries) : addPath(relative, rule, entries);
  }

  private Optional<String> addPath(String path, String rule, BundleEntries entries) throws IOException {
    for (Path root : roots) {
      Path file = root.resolve(path);
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException(rule + " is a directory: give a glob such as " + path + "/**");
      }
      if (Files.isRegularFile(file)) {
        entries.add(BundleEntries.relativePath(root, file), file, BundleEntries.Kind.DATA, rule);
        return Optional.empty();
      }
    }
    throw new IllegalArgumentException(rule + " matches no file under the python path " + roots);
  }

  private Optional<String> addGlob(String glob, String rule, BundleEntries entries) throws IOException {
    List<PathMatcher> matchers = new ArrayList<>();
    try {
      for (String variant : zeroDirectoryVariants(glob)) {
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + variant));
      }
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(rule + " is not a valid glob: " + e.getDescription(), e);
    }
    boolean namesHidden = Arrays.stream(glob.split("/"))
        .anyMatch(name -> name.startsWith(".") || name.contains("__pycache__"));
    Set<String> matched = new HashSet<>();
    for (Path root : roots) {
      Path start = root.resolve(literalDirectory(glob));
      if (!Files.isDirectory(start)) {
        continue;
      }
      Files.walkFileTree(start, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.equals(start) || namesHidden || !skipped(dir)
              ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          String path = BundleEntries.relativePath(root, file);
          Path relative = Path.of(path);
          if ((namesHidden || !skipped(file)) && matchers.stream().anyMatch(m -> m.matches(relative))
              && Files.isRegularFile(file) && matched.add(path)) {
            entries.add(path, file, BundleEntries.Kind.DATA, rule);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    }
    return matched.isEmpty()
        ? Optional.of(rule + " matched no file under the python path " + roots)
        : Optional.empty();
  }

  private static String checkedRelative(String pattern, String rule) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("includeData has an empty pattern: give a glob such as data/*.csv");
    }
    String relative = pattern.strip();
    while (relative.startsWith("./")) {
      relative = relative.substring(2);
    }
    if (relative.startsWith("/") || Path.of(relative).isAbsolute()) {
      throw new IllegalArgumentException(rule
          + " is absolute: give a pattern relative to the python path, such as data/*.csv");
    }
    for (String name : relative.split("/")) {
      if (name.equals("..")) {
        throw new IllegalArgumentException(rule
            + " leaves the python path ('..'): give a pattern relative to it, or add its directory to the python path");
      }
    }
    while (relative.endsWith("/")) {
      relative = relative.substring(0, relative.length() - 1);
    }
    return relative;
  }

  private static boolean isGlob(String pattern) {
    return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  /** The directories before the first name with glob characters: where a walk for the pattern starts. */
  private static String literalDirectory(String glob) {
    String[] names = glob.split("/");
    List<String> literal = new ArrayList<>();
    for (int i = 0; i < names.length - 1 && !isGlob(names[i]); i++) {
      literal.add(names[i]);
    }
    return String.join("/", literal);
  }

  /** The pattern, and its variants where a {@code **} directory matches no directory: a/{@code **}/x also gives a/x. */
  private static Set<String> zeroDirectoryVariants(String glob) {
    Set<String> variants = new LinkedHashSet<>();
    addVariants(glob, 0, variants);
    return variants;
  }

  private static void addVariants(String glob, int from, Set<String> variants) {
    int at = glob.indexOf("**/", from);
    while (at > 0 && glob.charAt(at - 1) != '/') {
      at = glob.indexOf("**/", at + 1);
    }
    if (at < 0) {
      variants.add(glob);
      return;
    }
    addVariants(glob, at + 3, variants);
    addVariants(glob.substring(0, at) + glob.substring(at + 3), at, variants);
  }

  private static boolean skipped(Path path) {
    String name = path.getFileName().toString();
    return name.startsWith(".") || name.equals("__pycache__");
  }
}
