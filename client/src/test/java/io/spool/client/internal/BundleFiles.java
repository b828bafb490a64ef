package io.spool.client.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Test helpers: writing source trees and reading zips. */
final class BundleFiles {

  private BundleFiles() {}

  /** Writes {@code text} to {@code root/relative}, creating directories; returns the file. */
  static Path write(Path root, String relative, String text) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  /** The zip's entries, name to text, sorted by name. */
  static Map<String, String> entries(byte[] zip) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        String previous = entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        if (previous != null) {
          throw new AssertionError("duplicate entry " + entry.getName());
        }
      }
    }
    return entries;
  }
}
