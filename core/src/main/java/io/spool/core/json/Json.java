package io.spool.core.json;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.reflect.Array;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The one JSON mapping of Spool. Records are written compactly (no nulls, no empty collections) through their
 * fields; arguments and results are strict JSON (no NaN or infinities).
 */
public final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
      .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
      .configure(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS, false);

  /** A mapper for plain values (arguments, results): public getters, nothing left out. */
  private static final ObjectMapper VALUES = new ObjectMapper()
      .configure(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS, false);

  private Json() {}

  /** The mapper for Spool's own records. */
  public static ObjectMapper records() {
    return MAPPER;
  }

  /** The mapper for users' values. */
  public static ObjectMapper values() {
    return VALUES;
  }

  public static byte[] toBytes(Object record) {
    try {
      return MAPPER.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + record.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static <T> T fromBytes(byte[] bytes, Class<T> type) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + type.getSimpleName() + " from "
          + new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8), e);
    }
  }

  public static JsonNode tree(byte[] bytes) {
    try {
      return MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Converts a user's value (arguments of a job) to a JSON tree, refusing what JSON cannot carry: NaN and
   * infinities, maps with keys that are not strings, cycles, and objects Jackson does not know how to write.
   *
   * @throws IllegalArgumentException naming what is wrong and where
   */
  public static JsonNode userValue(Object value, String what) {
    checkUserValue(value, what, new IdentityHashMap<>());
    try {
      return VALUES.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static void checkUserValue(Object value, String where, Map<Object, Boolean> seen) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof JsonNode) {
      if (value instanceof JsonNode && containsNonFinite((JsonNode) value)) {
        throw new IllegalArgumentException(where + " is not JSON: it holds NaN or an infinity");
      }
      return;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(where + " is not JSON: " + d + " cannot be written as a JSON number");
      }
      return;
    }
    if (value instanceof Number || value instanceof Character || value instanceof Enum) {
      return;
    }
    if (seen.put(value, Boolean.TRUE) != null) {
      throw new IllegalArgumentException(where + " is not JSON: it contains itself (a cycle)");
    }
    try {
      if (value instanceof Map) {
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          if (!(e.getKey() instanceof String)) {
            throw new IllegalArgumentException(where + " is not JSON: map key " + e.getKey() + " ("
                + (e.getKey() == null ? "null" : e.getKey().getClass().getSimpleName()) + ") is not a string");
          }
          checkUserValue(e.getValue(), where + "." + e.getKey(), seen);
        }
      } else if (value instanceof Iterable) {
        int i = 0;
        for (Object item : (Iterable<?>) value) {
          checkUserValue(item, where + "[" + i++ + "]", seen);
        }
      } else if (value.getClass().isArray() && !(value instanceof byte[])) {
        int n = Array.getLength(value);
        for (int i = 0; i < n; i++) {
          checkUserValue(Array.get(value, i), where + "[" + i + "]", seen);
        }
      }
    } finally {
      seen.remove(value);
    }
  }

  private static boolean containsNonFinite(JsonNode node) {
    if (node.isFloatingPointNumber()) {
      return !Double.isFinite(node.doubleValue());
    }
    for (JsonNode child : node) {
      if (containsNonFinite(child)) {
        return true;
      }
    }
    return false;
  }
}
