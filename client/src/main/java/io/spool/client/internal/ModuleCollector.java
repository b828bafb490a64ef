package io.spool.client.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds included modules on the python path, by import name, and adds their files to a bundle the way Python would
 * import them: the first root with a package ({@code name/__init__.py}) or a module ({@code name.py},
 * {@code name.pyx}) wins; failing both, every root's namespace package directory {@code name/} is a portion.
 */
final class ModuleCollector {

  /** Python source files: modules, Cython modules and their Cython declaration files. */
  private static final List<String> SOURCE_SUFFIXES = List.of(".py", ".pyx", ".pxd");
  private static final List<String> PACKAGE_MARKERS = List.of("__init__.py", "__init__.pyx");

  private final List<Path> roots;

  /** @param roots the python path, absolute, in import order */
  ModuleCollector(List<Path> roots) {
    this.roots = List.copyOf(roots);
  }

  /**
   * Adds the files of the module {@code name}: for a package, all its source files, subpackages included; for a
   * module, its file; and in both cases the {@code __init__.py} of every parent package.
   *
   * @throws IllegalArgumentException if the name is not an import name or is found on no root
   */
  void add(String name, BundleEntries entries) throws IOException {
    if (!PythonNames.isDottedName(name)) {
      throw new IllegalArgumentException("includeModules '" + name
          + "' is not an import name such as mypkg, mypkg.sub or helpers" + fileNameHint(name));
    }
    String rule = "includeModules '" + name + "'";
    String path = name.replace('.', '/');
    List<Path> namespacePortions = new ArrayList<>();
    for (Path root : roots) {
      Path directory = root.resolve(path);
      if (isPackage(directory)) {
        addParents(root, path, entries, rule);
        addTree(root, directory, entries, rule);
        return;
      }
      List<Path> files = moduleFiles(root, path);
      if (!files.isEmpty()) {
        addParents(root, path, entries, rule);
        for (Path file : files) {
          entries.add(BundleEntries.relativePath(root, file), file, BundleEntries.Kind.MODULE, rule);
        }
        return;
      }
      if (Files.isDirectory(directory)) {
        namespacePortions.add(root);
      }
    }
    if (namespacePortions.isEmpty()) {
      throw new IllegalArgumentException(rule + " was not found: no package " + path + "/ and no module " + path
          + ".py or " + path + ".pyx under the python path " + roots + fileNameHint(name));
    }
    for (Path root : namespacePortions) {
      addParents(root, path, entries, rule);
      addTree(root, root.resolve(path), entries, rule);
    }
  }

  private static String fileNameHint(String name) {
    String stem = name.replaceFirst("\\.pyx?$", "").replace('/', '.');
    return !stem.equals(name) && PythonNames.isDottedName(stem) ? ": give its import name '" + stem + "'" : "";
  }

  private static boolean isPackage(Path directory) {
    return PACKAGE_MARKERS.stream().anyMatch(marker -> Files.isRegularFile(directory.resolve(marker)));
  }

  private static List<Path> moduleFiles(Path root, String path) {
    List<Path> files = new ArrayList<>();
    for (String suffix : SOURCE_SUFFIXES) {
      Path file = root.resolve(path + suffix);
      if (Files.isRegularFile(file)) {
        files.add(file);
      }
    }
    boolean importable = files.stream().anyMatch(f -> !f.toString().endsWith(".pxd"));
    return importable ? files : List.of();
  }

  /** Adds {@code a/__init__.py} and {@code a/b/__init__.py} for {@code a/b/c}, where they exist. */
  private static void addParents(Path root, String path, BundleEntries entries, String rule) throws IOException {
    String[] names = path.split("/");
    StringBuilder parent = new StringBuilder();
    for (int i = 0; i < names.length - 1; i++) {
      parent.append(names[i]).append('/');
      Path init = root.resolve(parent + "__init__.py");
      if (Files.isRegularFile(init)) {
        entries.add(BundleEntries.relativePath(root, init), init, BundleEntries.Kind.MODULE, rule);
      }
    }
  }

  /** Adds every source file under {@code directory}, skipping hidden entries and {@code __pycache__}. */
  private static void addTree(Path root, Path directory, BundleEntries entries, String rule) throws IOException {
    Files.walkFileTree(directory, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return dir.equals(directory) || !skipped(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!skipped(file) && isSource(file) && Files.isRegularFile(file)) {
          entries.add(BundleEntries.relativePath(root, file), file, BundleEntries.Kind.MODULE, rule);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static boolean skipped(Path path) {
    String name = path.getFileName().toString();
    return name.startsWith(".") || name.equals("__pycache__");
  }

  private static boolean isSource(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && SOURCE_SUFFIXES.contains(name.substring(dot));
  }
}
