package io.spool.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function described in a JSON file for {@code spool function create --spec FILE}: the same attributes as the
 * flags, in the Java names ({@code maximumConcurrency}, {@code includeModules}, …). Paths in it (the entrypoint's file,
 * {@code pythonPath}, {@code requirementsFile}) are relative to the file's directory.
 *
 * <pre>
 * {"entrypoint": "tiles.py:histogram", "memory": "1Gi", "maximumConcurrency": 8, "retryCount": 2,
 *  "requirements": ["numpy"], "environment": {"MODE": "fast"}, "queue": "batch"}
 * </pre>
 */
final class FunctionSpecFile {

  static final Set<String> KEYS = Set.of("entrypoint", "name", "image", "cpus", "memory", "maximumConcurrency",
      "timeout", "retryCount", "queue", "priority", "nodeLabel", "environment", "requirements", "requirementsFile",
      "includeModules", "includeData", "pythonPath", "autoStart");

  private final Path file;
  private final JsonNode spec;

  private FunctionSpecFile(Path file, JsonNode spec) {
    this.file = file;
    this.spec = spec;
  }

  /**
   * Reads and checks a spec file.
   *
   * @throws IllegalArgumentException if it is missing, not a JSON object, or has a key that is not an attribute
   */
  static FunctionSpecFile read(Path file) {
    JsonNode spec;
    try {
      spec = Json.values().readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("spec file " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("spec file " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (spec == null || !spec.isObject()) {
      throw new IllegalArgumentException("spec file " + file + " must hold a JSON object of function attributes");
    }
    for (Iterator<String> names = spec.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("spec file " + file + ": '" + key + "' is not a function attribute; use "
            + "one of " + new java.util.TreeSet<>(KEYS));
      }
    }
    return new FunctionSpecFile(file, spec);
  }

  /** The text of a scalar attribute (numbers as written), or null if absent. */
  String text(String key) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new IllegalArgumentException("spec file " + file + ": '" + key + "' must be a string or a number");
    }
    return v.asText();
  }

  Integer integer(String key) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("spec file " + file + ": '" + key + "' must be a whole number, not " + v);
    }
    return v.intValue();
  }

  Boolean bool(String key) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("spec file " + file + ": '" + key + "' must be true or false, not " + v);
    }
    return v.booleanValue();
  }

  List<String> strings(String key) {
    JsonNode v = spec.get(key);
    List<String> values = new ArrayList<>();
    if (v == null || v.isNull()) {
      return values;
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException("spec file " + file + ": '" + key + "' must be a list of strings");
    }
    v.forEach(item -> {
      if (!item.isTextual()) {
        throw new IllegalArgumentException("spec file " + file + ": '" + key + "' must be a list of strings, not "
            + v);
      }
      values.add(item.asText());
    });
    return values;
  }

  Map<String, String> environment() {
    JsonNode v = spec.get("environment");
    Map<String, String> env = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return env;
    }
    if (!v.isObject()) {
      throw new IllegalArgumentException("spec file " + file + ": 'environment' must be an object of strings");
    }
    v.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }

  /** A path of the spec, resolved against the spec file's directory. */
  Path path(String relative) {
    Path dir = file.toAbsolutePath().getParent();
    return dir.resolve(relative);
  }

  /** The entrypoint, its file (if it names one) resolved against the spec file's directory; null if absent. */
  String entrypoint() {
    String entrypoint = text("entrypoint");
    if (entrypoint == null) {
      return null;
    }
    int colon = entrypoint.lastIndexOf(':');
    if (colon > 0 && entrypoint.substring(0, colon).endsWith(".py")) {
      return path(entrypoint.substring(0, colon)) + entrypoint.substring(colon);
    }
    return entrypoint;
  }
}
