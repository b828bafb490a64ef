package io.spool.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonInterpreterTest {

  @Test
  void python3FromThePathResolvesToAnAbsoluteExecutableAndItsVersion() throws IOException {
    PythonInterpreter python = PythonInterpreter.resolve(Map.of());
    assertTrue(python.executable().isAbsolute(), python.executable().toString());
    assertTrue(python.version().matches("3\\.\\d+"), python.version());
    assertEquals("python" + python.version(), python.imageName());
  }

  @Test
  void spoolPythonNamesTheInterpreterToResolve() throws IOException {
    PythonInterpreter fromPath = PythonInterpreter.resolve(Map.of());
    PythonInterpreter named = PythonInterpreter.resolve(
        Map.of(PythonInterpreter.OVERRIDE_ENV, fromPath.executable().toString()));
    assertEquals(fromPath, named);
  }

  @Test
  void missingInterpreterFailsWithAMessageSayingWhatToDo(@TempDir Path dir) {
    String missing = dir.resolve("no-such-python").toString();
    IOException error = assertThrows(IOException.class,
        () -> PythonInterpreter.resolve(Map.of(PythonInterpreter.OVERRIDE_ENV, missing)));
    assertTrue(error.getMessage().contains(missing), error.getMessage());
    assertTrue(error.getMessage().contains("Install Python 3"), error.getMessage());
    assertTrue(error.getMessage().contains(PythonInterpreter.OVERRIDE_ENV), error.getMessage());
  }

  @Test
  void programThatIsNoPythonIsRefused() {
    IOException error = assertThrows(IOException.class,
        () -> PythonInterpreter.resolve(Map.of(PythonInterpreter.OVERRIDE_ENV, "true")));
    assertTrue(error.getMessage().contains("No usable Python 3"), error.getMessage());
  }
}
