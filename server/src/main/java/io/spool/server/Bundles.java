package io.spool.server;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Uploaded bundles: zips of a function's files (its entrypoint file, included modules and data) that a later
 * create names by their upload id. Kept on the server's local disk, per user, until a create unpacks them or the
 * server stops.
 */
final class Bundles implements Closeable {

  private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Path dir;

  Bundles() throws IOException {
    this.dir = Files.createTempDirectory("spool-server-bundles-");
  }

  /** Checks and keeps an uploaded zip; returns how many files it holds. */
  int put(String user, String uploadId, byte[] zip) throws IOException {
    checkId(uploadId);
    int files = 0;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        safeName(e.getName());
        files += e.isDirectory() ? 0 : 1;
      }
    } catch (ZipException e) {
      throw ApiException.badRequest("bundle", "the bundle is not a valid zip: " + e.getMessage());
    }
    if (files == 0) {
      throw ApiException.badRequest("bundle", "the bundle is empty or not a zip: upload a zip of the function's "
          + "files (Content-Type: application/zip)");
    }
    Path userDir = Files.createDirectories(dir.resolve(user));
    Path tmp = Files.createTempFile(userDir, uploadId, ".part");
    Files.write(tmp, zip);
    Files.move(tmp, userDir.resolve(uploadId + ".zip"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return files;
  }

  /** Unpacks the user's upload into a fresh directory (the caller deletes it with {@link #deleteTree}). */
  Path unpack(String user, String uploadId) throws IOException {
    checkId(uploadId);
    Path zip = dir.resolve(user).resolve(uploadId + ".zip");
    if (!Files.isRegularFile(zip)) {
      throw ApiException.badRequest("bundle", "no uploaded bundle '" + uploadId + "': upload it first with PUT "
          + "api/v1/bundles/" + uploadId);
    }
    Path target = Files.createTempDirectory(dir, "unpacked-");
    try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        Path out = target.resolve(safeName(e.getName())).normalize();
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException | RuntimeException e) {
      deleteTree(target);
      throw e;
    }
    return target;
  }

  /** Forgets an upload once a function was made from it. */
  void remove(String user, String uploadId) throws IOException {
    Files.deleteIfExists(dir.resolve(user).resolve(uploadId + ".zip"));
  }

  private static void checkId(String uploadId) {
    if (!UPLOAD_ID.matcher(uploadId).matches()) {
      throw ApiException.badRequest("bundle", "bundle id '" + uploadId + "' is not valid: use 1 to 64 letters, "
          + "digits, '-' and '_'");
    }
  }

  private static String safeName(String name) {
    String n = name.replace('\\', '/');
    if (n.startsWith("/") || n.contains(":") || Stream.of(n.split("/")).anyMatch(".."::equals)) {
      throw ApiException.badRequest("bundle", "the bundle holds '" + name + "': paths in it must be relative, "
          + "without '..'");
    }
    return n;
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  @Override
  public void close() {
    deleteTree(dir);
  }
}
