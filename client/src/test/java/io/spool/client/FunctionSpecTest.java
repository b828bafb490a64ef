package io.spool.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionSpecTest {

  @TempDir
  Path dir;

  private FunctionSpec spec(String json) throws Exception {
    Path file = dir.resolve("f.json");
    Files.writeString(file, json);
    return FunctionSpec.read(file);
  }

  private String error(String json) {
    return assertThrows(IllegalArgumentException.class, () -> spec(json)).getMessage();
  }

  @Test
  void readsEveryKindOfAttributeWithPathsRelativeToTheFile() throws Exception {
    FunctionSpec f = spec("{\"entrypoint\": \"src/tiles.py:run\", \"cpus\": 0.5, \"memory\": \"2Gi\", "
        + "\"timeout\": 60, \"autoStart\": false, \"requirements\": [\"numpy\"], \"environment\": {\"A\": \"1\"}, "
        + "\"pythonPath\": [\"src\"]}");
    assertEquals(dir.resolve("src/tiles.py").toAbsolutePath() + ":run", f.entrypoint());
    assertEquals("0.5", f.text("cpus"));
    assertEquals("2Gi", f.text("memory"));
    assertEquals(60, f.integer("timeout"));
    assertEquals(false, f.bool("autoStart"));
    assertEquals(List.of("numpy"), f.strings("requirements"));
    assertEquals(Map.of("A", "1"), f.environment());
    assertEquals(dir.toAbsolutePath().resolve("src"), f.path("src"));
    assertNull(f.text("name"));
    assertNull(f.integer("retryCount"));
    assertEquals("pkg.mod.run", spec("{\"entrypoint\": \"pkg.mod.run\"}").entrypoint());
  }

  @Test
  void badFilesAreRefusedNamingWhatIsWrong() throws Exception {
    assertTrue(error("[1]").contains("must hold a JSON object"));
    assertTrue(error("{\"entrypoint\": ").contains("not valid JSON"));
    assertTrue(error("{\"maxConcurrency\": 3}").contains("'maxConcurrency' is not a function attribute"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("{\"timeout\": \"60s\"}").integer("timeout"))
        .getMessage().contains("'timeout' must be a whole number"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("{\"requirements\": \"numpy\"}")
        .strings("requirements")).getMessage().contains("must be a list of strings"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("{\"autoStart\": \"no\"}").bool("autoStart"))
        .getMessage().contains("true or false"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FunctionSpec.read(dir.resolve("none.json")))
        .getMessage().contains("does not exist"));
  }
}
