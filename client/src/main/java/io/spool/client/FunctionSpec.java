package io.spool.client;

import io.spool.core.model.JobProcess;

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
import java.util.TreeSet;

/**
 * A function described in JSON, as {@code spool function create --spec FILE} reads it and the Spool server's
 * {@code POST /api/v1/functions} takes it: the same attributes as the builder's, in the Java names
 * ({@code maximumConcurrency}, {@code includeModules}, …). Paths in it (the entrypoint's file, {@code pythonPath},
 * {@code requirementsFile}) are relative to a base directory: the spec file's, or where an uploaded bundle was
 * unpacked.
 *
 * <pre>
 * {"entrypoint": "tiles.py:histogram", "memory": "1Gi", "maximumConcurrency": 8, "retryCount": 2,
 *  "requirements": ["numpy"], "environment": {"MODE": "fast"}, "queue": "batch"}
 * </pre>
 */
public final class FunctionSpec {

  /** The attributes a spec may hold. */
  public static final Set<String> KEYS = Set.of("entrypoint", "name", "image", "cpus", "memory", "maximumConcurrency",
      "timeout", "retryCount", "jobProcess", "maxJobsPerProcess", "queue", "priority", "nodeLabel", "environment",
      "requirements", "requirementsFile", "includeModules", "includeData", "pythonPath", "autoStart");

  private final String source;
  private final Path baseDir;
  private final JsonNode spec;

  private FunctionSpec(String source, Path baseDir, JsonNode spec) {
    this.source = source;
    this.baseDir = baseDir.toAbsolutePath();
    this.spec = spec;
  }

  /**
   * Reads and checks a spec file.
   *
   * @throws IllegalArgumentException if it is missing, not a JSON object, or has a key that is not an attribute
   */
  public static FunctionSpec read(Path file) {
    JsonNode spec;
    String source = "spec file " + file;
    try {
      spec = Json.values().readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(source + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
    }
    return of(source, file.toAbsolutePath().getParent(), spec);
  }

  /**
   * Checks a spec given as JSON; {@code source} names it in messages ("the function spec"), and its paths are
   * relative to {@code baseDir}.
   *
   * @throws IllegalArgumentException if it is not a JSON object or has a key that is not an attribute
   */
  public static FunctionSpec of(String source, Path baseDir, JsonNode spec) {
    if (spec == null || !spec.isObject()) {
      throw new IllegalArgumentException(source + " must hold a JSON object of function attributes");
    }
    for (Iterator<String> names = spec.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!KEYS.contains(key)) {
        throw new InvalidAttributeException(key, source + ": '" + key + "' is not a function attribute; use one of "
            + new TreeSet<>(KEYS));
      }
    }
    return new FunctionSpec(source, baseDir, spec);
  }

  /** The text of a scalar attribute (numbers as written), or null if absent. */
  public String text(String key) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new InvalidAttributeException(key, source + ": '" + key + "' must be a string or a number");
    }
    return v.asText();
  }

  public Integer integer(String key) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new InvalidAttributeException(key, source + ": '" + key + "' must be a whole number, not " + v);
    }
    return v.intValue();
  }

  public Boolean bool(String key) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw new InvalidAttributeException(key, source + ": '" + key + "' must be true or false, not " + v);
    }
    return v.booleanValue();
  }

  public List<String> strings(String key) {
    JsonNode v = spec.get(key);
    List<String> values = new ArrayList<>();
    if (v == null || v.isNull()) {
      return values;
    }
    if (!v.isArray()) {
      throw new InvalidAttributeException(key, source + ": '" + key + "' must be a list of strings");
    }
    v.forEach(item -> {
      if (!item.isTextual()) {
        throw new InvalidAttributeException(key, source + ": '" + key + "' must be a list of strings, not " + v);
      }
      values.add(item.asText());
    });
    return values;
  }

  public Map<String, String> environment() {
    JsonNode v = spec.get("environment");
    Map<String, String> env = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return env;
    }
    if (!v.isObject()) {
      throw new InvalidAttributeException("environment", source + ": 'environment' must be an object of strings");
    }
    v.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }

  /** A path of the spec, resolved against its base directory. */
  public Path path(String relative) {
    return baseDir.resolve(relative);
  }

  /** The entrypoint, its file (if it names one) resolved against the base directory; null if absent. */
  public String entrypoint() {
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

  /**
   * A builder of the function this spec describes, every attribute set; save it with {@code build().save()}. Python
   * paths default to the base directory.
   *
   * @throws InvalidAttributeException naming the first attribute that cannot be used
   */
  public Function.Builder builder(Spool spool) {
    String entrypoint = entrypoint();
    if (entrypoint == null) {
      throw new InvalidAttributeException("entrypoint", source + " has no \"entrypoint\"");
    }
    Function.Builder b = attribute("entrypoint", () -> Function.builder(spool, entrypoint))
        .entrypointAsWritten(text("entrypoint"));
    set("name", () -> text("name"), b::name);
    set("image", () -> text("image"), b::image);
    set("cpus", () -> text("cpus"), b::cpus);
    set("memory", () -> text("memory"), b::memory);
    set("maximumConcurrency", () -> integer("maximumConcurrency"), b::maximumConcurrency);
    set("timeout", () -> integer("timeout"), b::timeout);
    set("retryCount", () -> integer("retryCount"), b::retryCount);
    set("jobProcess", () -> text("jobProcess") == null ? null : JobProcess.parse(text("jobProcess")), b::jobProcess);
    set("maxJobsPerProcess", () -> integer("maxJobsPerProcess"), b::maxJobsPerProcess);
    set("queue", () -> text("queue"), b::queue);
    set("priority", () -> integer("priority"), b::priority);
    set("nodeLabel", () -> text("nodeLabel"), b::nodeLabel);
    set("autoStart", () -> bool("autoStart"), b::autoStart);
    set("environment", () -> environment().isEmpty() ? null : environment(), b::environment);
    set("requirements", () -> strings("requirements").isEmpty() ? null : strings("requirements"), b::requirements);
    set("requirementsFile", () -> text("requirementsFile") == null ? null : path(text("requirementsFile")),
        b::requirementsFile);
    set("includeModules", () -> strings("includeModules"), b::includeModules);
    set("includeData", () -> strings("includeData"), b::includeData);
    List<Path> pythonPath = new ArrayList<>();
    strings("pythonPath").forEach(p -> pythonPath.add(path(p)));
    set("pythonPath", () -> pythonPath.isEmpty() ? List.of(baseDir) : pythonPath, b::pythonPath);
    return b;
  }

  private static <T> T attribute(String key, java.util.function.Supplier<T> value) {
    try {
      return value.get();
    } catch (InvalidAttributeException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidAttributeException(key, e.getMessage(), e);
    }
  }

  private static <T> void set(String key, java.util.function.Supplier<T> value,
      java.util.function.Consumer<T> setter) {
    attribute(key, () -> {
      T v = value.get();
      if (v != null) {
        setter.accept(v);
      }
      return null;
    });
  }
}
