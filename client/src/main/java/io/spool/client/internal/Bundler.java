package io.spool.client.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Makes a function's bundle: a zip whose root is put on the job's {@code sys.path}. For now it holds the
 * entrypoint's file, as {@code <module>.py}.
 */
public final class Bundler {

  private Bundler() {}

  public static byte[] bundle(Entrypoint entrypoint) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(entrypoint.module() + ".py"));
      zip.write(Files.readAllBytes(entrypoint.file()));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }
}
