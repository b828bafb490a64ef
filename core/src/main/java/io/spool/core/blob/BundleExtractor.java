package io.spool.core.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Unpacks a bundle into a directory, refusing any entry that would land outside it. */
public final class BundleExtractor {

  private BundleExtractor() {}

  /**
   * Unpacks the zip read from {@code zip} (which is not closed) into {@code target}, creating it if needed.
   *
   * @return the files written, in the zip's order
   * @throws IOException naming the entry, for an entry that is absolute or whose normalized path escapes
   *     {@code target}; or if the zip cannot be read or a file cannot be written
   */
  public static List<Path> extract(InputStream zip, Path target) throws IOException {
    Path root = Files.createDirectories(target.toAbsolutePath().normalize()).toRealPath();
    List<Path> files = new ArrayList<>();
    ZipInputStream in = new ZipInputStream(zip);
    for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
      Path destination = destination(root, entry.getName());
      if (entry.isDirectory()) {
        createDirectoriesInside(root, destination, entry.getName());
      } else {
        createDirectoriesInside(root, destination.getParent(), entry.getName());
        Files.copy(in, destination, StandardCopyOption.REPLACE_EXISTING);
        files.add(destination);
      }
    }
    return files;
  }

  private static Path destination(Path root, String name) throws IOException {
    Path relative;
    try {
      relative = Path.of(name);
    } catch (InvalidPathException e) {
      throw new IOException("bundle entry '" + name + "' is not a valid path", e);
    }
    if (name.startsWith("/") || name.startsWith("\\") || relative.isAbsolute()) {
      throw new IOException("bundle entry '" + name + "' is an absolute path; refusing to unpack it");
    }
    Path destination = root.resolve(relative).normalize();
    if (!destination.startsWith(root) || destination.equals(root)) {
      throw new IOException("bundle entry '" + name + "' leaves the directory " + root + "; refusing to unpack it");
    }
    return destination;
  }

  /** Creates {@code directory}, unless a link already in the target would take it elsewhere. */
  private static void createDirectoriesInside(Path root, Path directory, String name) throws IOException {
    Path existing = directory;
    while (!Files.exists(existing)) {
      existing = existing.getParent();
    }
    Path real = existing.toRealPath();
    if (!real.startsWith(root)) {
      throw new IOException("bundle entry '" + name + "' would be written under " + real + ", outside " + root
          + "; refusing to unpack it");
    }
    Files.createDirectories(directory);
  }
}
