package io.spool.client.internal;

import io.spool.core.config.SpoolConfig;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Makes a function's bundle: a zip whose root the job puts first on {@code sys.path}, so that the entrypoint, the
 * included modules and the included data are imported and found (by {@code importlib.resources} too) from it.
 *
 * <p>Layout, every path relative with {@code /} separators:
 *
 * <pre>
 * hello.py                      a file entrypoint outside the included packages, as a top-level module
 * mypkg/__init__.py             an included package: all its .py, .pyx and .pxd files, subpackages included,
 * mypkg/sub/__init__.py           at their path relative to the python path root they were found on
 * mypkg/sub/fast.pyx              (the build compiles .pyx files)
 * helpers.py                    an included plain module
 * a/__init__.py                 the parent package's __init__.py of an included a.b
 * a/b/...
 * mypkg/data/table.json         included data, at its path relative to its root
 * .spool/requirements.txt       the requirement lines, canonical, one a line (absent when there are none)
 * .spool/bundle.json            {"callable": "mypkg.sub.mod:run", "modules": [module and entrypoint files],
 *                                "data": [data files]}
 * </pre>
 *
 * <p>The zip is deterministic: entries sorted by path, each once, with a fixed timestamp, so the same inputs give
 * the same bytes.
 */
public final class Bundler {

  /** The configuration key of the largest bundle, in bytes. */
  public static final String MAX_BYTES_KEY = SpoolConfig.BUNDLE_MAX_BYTES;
  /** The bundle's requirement lines. */
  public static final String REQUIREMENTS_ENTRY = BundleEntries.SPOOL_DIR + "requirements.txt";
  /** The bundle's description: callable, module files, data files. */
  public static final String MANIFEST_ENTRY = BundleEntries.SPOOL_DIR + "bundle.json";

  /** The modification time of every entry. */
  static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 2, 1, 0, 0);

  private Bundler() {}

  /**
   * Makes the bundle that {@code spec} describes.
   *
   * @param maxBytes the largest zip allowed
   * @throws IllegalArgumentException for a mistake in the spec (an entrypoint, module, data pattern or requirement
   *     that is wrong or not found) or a zip larger than {@code maxBytes}; the message names what to change
   * @throws IOException if a file cannot be read
   */
  public static Bundle bundle(BundleSpec spec, long maxBytes) throws IOException {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException(MAX_BYTES_KEY + " must be more than 0, not " + maxBytes);
    }
    Entrypoint entrypoint = Entrypoint.parse(spec.entrypoint());
    List<String> requirements = spec.requirementsFile() == null
        ? Requirements.fromLines(spec.requirements())
        : Requirements.fromFile(spec.requirementsFile());
    List<Path> roots = checkedRoots(spec.pythonPath());

    BundleEntries entries = new BundleEntries();
    ModuleCollector modules = new ModuleCollector(roots);
    for (String name : spec.includeModules()) {
      modules.add(name, entries);
    }
    entrypoint = place(entrypoint, spec.includeModules(), entries);
    List<String> warnings = new ArrayList<>();
    DataCollector data = new DataCollector(roots);
    for (String pattern : spec.includeData()) {
      data.add(pattern, entries).ifPresent(warnings::add);
    }
    byte[] zip = zip(entries, entrypoint, requirements, maxBytes);
    return new Bundle(zip, entrypoint.callable(), entrypoint.function(), requirements, warnings);
  }

  private static List<Path> checkedRoots(List<Path> pythonPath) {
    for (Path root : pythonPath) {
      if (!Files.isDirectory(root)) {
        throw new IllegalArgumentException("python path entry " + root + " is not a directory");
      }
    }
    return pythonPath;
  }

  /**
   * Where the entrypoint lives in the bundle: a file inside an included package is imported by its dotted path, any
   * other file is added as a top-level module; a qualified name is checked against the included modules.
   */
  private static Entrypoint place(Entrypoint entrypoint, List<String> includeModules, BundleEntries entries)
      throws IOException {
    if (!entrypoint.isFile()) {
      checkImportable(entrypoint, entries);
      return entrypoint;
    }
    Optional<String> inPackage = entries.pathOf(entrypoint.file(), BundleEntries.Kind.MODULE)
        .filter(path -> path.endsWith(".py"));
    if (inPackage.isPresent()) {
      return entrypoint.inModule(moduleName(inPackage.get(), entrypoint));
    }
    List<String> topLevel = includeModules.stream().map(name -> name.split("\\.")[0]).toList();
    if (topLevel.contains(entrypoint.module())) {
      throw new IllegalArgumentException("entrypoint file " + entrypoint.file() + " would be shipped as the top-level"
          + " module '" + entrypoint.module() + "', which the included module of that name shadows: rename the"
          + " file, or give the entrypoint as a qualified name");
    }
    entries.add(entrypoint.module() + ".py", entrypoint.file(), BundleEntries.Kind.MODULE, "the entrypoint");
    return entrypoint;
  }

  private static String moduleName(String path, Entrypoint entrypoint) {
    String module = path.substring(0, path.length() - ".py".length()).replace('/', '.');
    if (module.endsWith(".__init__")) {
      module = module.substring(0, module.length() - ".__init__".length());
    }
    if (!PythonNames.isDottedName(module)) {
      throw new IllegalArgumentException("entrypoint file " + entrypoint.file() + " is shipped as " + path
          + ", which cannot be imported as a module (directories and files need letters, digits and _)");
    }
    return module;
  }

  /**
   * Checks that a qualified entrypoint's module is in the bundle when its top-level package is shipped as a regular
   * package or module, which hides the image's. Otherwise it comes from the image (or completes a namespace
   * package there), which only the job can check.
   */
  private static void checkImportable(Entrypoint entrypoint, BundleEntries entries) {
    String top = entrypoint.module().split("\\.")[0];
    boolean shipped = List.of(top + "/__init__.py", top + "/__init__.pyx", top + ".py", top + ".pyx").stream()
        .anyMatch(entries::contains);
    if (!shipped) {
      return;
    }
    String path = entrypoint.module().replace('.', '/');
    List<String> candidates = List.of(path + ".py", path + ".pyx", path + "/__init__.py");
    if (candidates.stream().noneMatch(entries::contains)) {
      throw new IllegalArgumentException("entrypoint '" + entrypoint.module() + "." + entrypoint.function()
          + "': the bundle ships '" + top + "' from includeModules but not its module " + entrypoint.module()
          + " (looked for " + String.join(", ", candidates) + ")");
    }
  }

  private static byte[] zip(BundleEntries entries, Entrypoint entrypoint, List<String> requirements, long maxBytes)
      throws IOException {
    SortedMap<String, Content> contents = new TreeMap<>();
    entries.sources().forEach((path, source) -> contents.put(path, out -> Files.copy(source, out)));
    byte[] manifest = manifest(entrypoint, entries);
    contents.put(MANIFEST_ENTRY, out -> out.write(manifest));
    if (!requirements.isEmpty()) {
      byte[] lines = (String.join("\n", requirements) + "\n").getBytes(StandardCharsets.UTF_8);
      contents.put(REQUIREMENTS_ENTRY, out -> out.write(lines));
    }
    CappedBuffer buffer = new CappedBuffer(maxBytes);
    try (ZipOutputStream zip = new ZipOutputStream(buffer, StandardCharsets.UTF_8)) {
      for (var content : contents.entrySet()) {
        ZipEntry entry = new ZipEntry(content.getKey());
        entry.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(entry);
        content.getValue().writeTo(zip);
        zip.closeEntry();
      }
    }
    if (buffer.written() > maxBytes) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "the bundle is %s, more than the limit of %s: ship fewer modules or data files, or raise '%s'",
          size(buffer.written()), size(maxBytes), MAX_BYTES_KEY));
    }
    return buffer.toByteArray();
  }

  private static byte[] manifest(Entrypoint entrypoint, BundleEntries entries) throws IOException {
    ObjectNode manifest = JsonNodeFactory.instance.objectNode();
    manifest.put("callable", entrypoint.callable());
    ArrayNode modules = manifest.putArray("modules");
    entries.paths(BundleEntries.Kind.MODULE).forEach(modules::add);
    ArrayNode data = manifest.putArray("data");
    entries.paths(BundleEntries.Kind.DATA).forEach(data::add);
    return Json.values().writeValueAsBytes(manifest);
  }

  private static String size(long bytes) {
    double mebibytes = bytes / (1024.0 * 1024.0);
    return mebibytes < 1 ? String.format(Locale.ROOT, "%,d bytes", bytes)
        : String.format(Locale.ROOT, "%,d bytes (%.1f MiB)", bytes, mebibytes);
  }

  /** What an entry holds. */
  @FunctionalInterface
  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }
}
