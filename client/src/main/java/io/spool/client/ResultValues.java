package io.spool.client;

import io.spool.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/** Decoding of stored results: JSON parsed, bytes as they are, or a requested Java type. */
final class ResultValues {

  static final String JSON = "json";
  static final String BYTES = "bytes";

  private ResultValues() {}

  /** Parsed JSON ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}, null) or the bytes. */
  static Object decode(byte[] data, String kind, String what) {
    if (!JSON.equals(kind)) {
      return data;
    }
    try {
      return Json.values().readValue(data, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException(what + " is not valid JSON", e);
    }
  }

  /**
   * The result as {@code type}: {@code byte[]} as stored; Jackson for JSON results; for binary results, a registered
   * {@link ResultDeserializer} or else a public static {@code deserialize(byte[])} of the type.
   *
   * @throws IllegalArgumentException if a binary result has no way to become {@code type}
   */
  static <T> T decode(Spool spool, byte[] data, String kind, String serializer, Class<T> type, String what) {
    if (type == byte[].class) {
      return type.cast(data);
    }
    if (JSON.equals(kind)) {
      try {
        return Json.values().readValue(data, type);
      } catch (IOException e) {
        throw new IllegalArgumentException(what + " cannot be read as " + type.getName() + ": " + e.getMessage(), e);
      }
    }
    ResultDeserializer<T> registered = spool.deserializer(type);
    if (registered != null) {
      try {
        return registered.deserialize(data);
      } catch (Exception e) {
        throw new IllegalArgumentException("the deserializer registered for " + type.getName() + " failed on "
            + what + ": " + e.getMessage(), e);
      }
    }
    Method deserialize = staticDeserialize(type);
    if (deserialize == null) {
      throw new IllegalArgumentException(what + " is binary" + (serializer == null ? "" : " (made by "
          + serializer + ".serialize())") + ": read it as byte[], register a deserializer for " + type.getName()
          + " with Spool.registerDeserializer, or give it a public static deserialize(byte[]) method");
    }
    try {
      return type.cast(deserialize.invoke(null, (Object) data));
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(type.getName() + ".deserialize failed on " + what + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException(type.getName() + ".deserialize cannot be called: " + e.getMessage(), e);
    }
  }

  private static Method staticDeserialize(Class<?> type) {
    try {
      Method m = type.getMethod("deserialize", byte[].class);
      return Modifier.isStatic(m.getModifiers()) && type.isAssignableFrom(m.getReturnType()) ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
