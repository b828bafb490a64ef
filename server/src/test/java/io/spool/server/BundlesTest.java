package io.spool.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class BundlesTest {

  private static byte[] zip(String... namesAndTexts) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndTexts.length; i += 2) {
        out.putNextEntry(new ZipEntry(namesAndTexts[i]));
        out.write(namesAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void anUploadUnpacksIntoItsOwnDirectory() throws Exception {
    try (Bundles bundles = new Bundles()) {
      assertEquals(2, bundles.put("alice", "b-1", zip("hello.py", "def hello(x): return x", "pkg/data.json", "{}")));
      Path dir = bundles.unpack("alice", "b-1");
      assertEquals("def hello(x): return x", Files.readString(dir.resolve("hello.py")));
      assertTrue(Files.isRegularFile(dir.resolve("pkg/data.json")));
      Bundles.deleteTree(dir);
      ApiException otherUser = assertThrows(ApiException.class, () -> bundles.unpack("bob", "b-1"));
      assertEquals("bundle", otherUser.field());
    }
  }

  @Test
  void pathsOutsideTheBundleEmptyZipsAndBadIdsAreRefused() throws Exception {
    try (Bundles bundles = new Bundles()) {
      assertTrue(assertThrows(ApiException.class, () -> bundles.put("alice", "b", zip("../evil.py", "x")))
          .getMessage().contains("without '..'"));
      assertTrue(assertThrows(ApiException.class, () -> bundles.put("alice", "b", zip("/etc/evil", "x")))
          .getMessage().contains("relative"));
      assertTrue(assertThrows(ApiException.class, () -> bundles.put("alice", "b", "not a zip".getBytes()))
          .getMessage().contains("empty or not a zip"));
      assertEquals(400, assertThrows(ApiException.class, () -> bundles.put("alice", "../x", zip("a.py", "")))
          .status());
    }
  }
}
