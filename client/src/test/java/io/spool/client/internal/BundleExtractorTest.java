package io.spool.client.internal;

import static io.spool.client.internal.BundleFiles.write;

import io.spool.core.blob.BundleExtractor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleExtractorTest {

  @TempDir
  Path dir;

  @Test
  void unpacksABundleAndListsItsFiles() throws IOException {
    Path source = Files.createDirectories(dir.resolve("src"));
    write(source, "mypkg/__init__.py", "");
    write(source, "mypkg/data/a.json", "{\"a\": 1}");
    BundleSpec spec = BundleSpec.builder("mypkg.f").includeModules(List.of("mypkg"))
        .includeData(List.of("mypkg/data/*.json")).requirements(List.of("numpy")).pythonPath(List.of(source)).build();
    byte[] zip = Bundler.bundle(spec, Long.MAX_VALUE).zip();
    Path target = dir.resolve("out/bundle");

    List<Path> files = BundleExtractor.extract(new ByteArrayInputStream(zip), target);

    assertEquals(List.of(target.resolve(".spool/bundle.json"), target.resolve(".spool/requirements.txt"),
        target.resolve("mypkg/__init__.py"), target.resolve("mypkg/data/a.json")), files);
    assertEquals("{\"a\": 1}", Files.readString(target.resolve("mypkg/data/a.json")));
    assertEquals("numpy\n", Files.readString(target.resolve(".spool/requirements.txt")));
  }

  @Test
  void refusesAnEntryThatClimbsOutOfTheTarget() throws IOException {
    Path target = dir.resolve("out");

    IOException e = assertThrows(IOException.class,
        () -> BundleExtractor.extract(zipOf("ok.py", "../evil"), target));

    assertTrue(e.getMessage().startsWith("bundle entry '../evil' leaves the directory"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("evil")));
  }

  @Test
  void refusesAnEntryThatClimbsOutThroughASubdirectory() throws IOException {
    IOException e = assertThrows(IOException.class,
        () -> BundleExtractor.extract(zipOf("a/../../evil"), dir.resolve("out")));

    assertTrue(e.getMessage().startsWith("bundle entry 'a/../../evil' leaves the directory"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("evil")));
  }

  @Test
  void refusesAnAbsoluteEntry() throws IOException {
    Path absolute = dir.resolve("abs");

    IOException e = assertThrows(IOException.class,
        () -> BundleExtractor.extract(zipOf(absolute.toString()), dir.resolve("out")));

    assertEquals("bundle entry '" + absolute + "' is an absolute path; refusing to unpack it", e.getMessage());
    assertFalse(Files.exists(absolute));
  }

  @Test
  void refusesAnEntryUnderALinkThatLeadsOutOfTheTarget() throws IOException {
    Path target = Files.createDirectories(dir.resolve("out"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(target.resolve("link"), outside);

    IOException e = assertThrows(IOException.class,
        () -> BundleExtractor.extract(zipOf("link/evil"), target));

    assertTrue(e.getMessage().startsWith("bundle entry 'link/evil' would be written under " + outside.toRealPath()),
        e.getMessage());
    assertFalse(Files.exists(outside.resolve("evil")));
  }

  private static ByteArrayInputStream zipOf(String... names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : names) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(("content of " + name).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return new ByteArrayInputStream(bytes.toByteArray());
  }
}
