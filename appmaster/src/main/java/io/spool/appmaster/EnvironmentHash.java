package io.spool.appmaster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The content address of a built environment: what determines what pip installs — the image and its interpreter,
 * the requirement lines, and the index settings. Two functions with the same ones share one environment.
 */
final class EnvironmentHash {

  private EnvironmentHash() {}

  static String of(String image, String interpreter, List<String> requirements, List<String> pipOptions) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      update(digest, "image", image);
      update(digest, "interpreter", interpreter);
      for (String line : requirements) {
        update(digest, "requirement", line.trim());
      }
      for (String option : pipOptions) {
        update(digest, "pip", option);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest digest, String field, String value) {
    digest.update((field + "=" + value + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
