package io.spool.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Reading the API's enumerated and typed inputs, each refusal naming its field. */
final class Params {

  private Params() {}

  /** An enum constant from its API spelling: {@code creationDate}, {@code CREATION_DATE} or {@code creation_date}. */
  static <E extends Enum<E>> E enumValue(Class<E> type, String text, String field) {
    String constant = text.replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT);
    try {
      return Enum.valueOf(type, constant);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(field, "'" + field + "' cannot be '" + text + "'; use one of "
          + Arrays.stream(type.getEnumConstants()).map(Params::apiName).collect(Collectors.joining(", ")));
    }
  }

  static <E extends Enum<E>> List<E> enumValues(Class<E> type, List<String> texts, String field) {
    List<E> values = new ArrayList<>();
    texts.forEach(t -> values.add(enumValue(type, t, field)));
    return values;
  }

  /** The API spelling of an enum constant: {@code CREATION_DATE} → {@code creationDate}; statuses stay as they are. */
  static String apiName(Enum<?> e) {
    String[] words = e.name().toLowerCase(Locale.ROOT).split("_");
    StringBuilder name = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return name.toString();
  }

  /** Whether a sort is ascending: {@code order=asc} (default) or {@code desc}. */
  static boolean ascending(Call call) {
    String order = call.query("order");
    if (order == null || order.equalsIgnoreCase("asc")) {
      return true;
    }
    if (order.equalsIgnoreCase("desc")) {
      return false;
    }
    throw ApiException.badRequest("order", "'order' must be asc or desc, not '" + order + "'");
  }

  /** A list of strings in a JSON body, or an empty list if absent. */
  static List<String> strings(JsonNode body, String field) {
    JsonNode v = body.get(field);
    List<String> values = new ArrayList<>();
    if (v == null || v.isNull()) {
      return values;
    }
    if (!v.isArray()) {
      throw ApiException.badRequest(field, "'" + field + "' must be a list of strings");
    }
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw ApiException.badRequest(field, "'" + field + "' must be a list of strings, not " + v);
      }
      values.add(item.asText());
    }
    return values;
  }

  static boolean bool(JsonNode body, String field, boolean absent) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest(field, "'" + field + "' must be true or false, not " + v);
    }
    return v.booleanValue();
  }

  static int integer(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.badRequest(field, "'" + field + "' must be a whole number, not " + v);
    }
    return v.intValue();
  }
}
