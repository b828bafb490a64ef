package io.spool.client.internal;

import static io.spool.client.internal.BundleFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntrypointTest {

  @TempDir
  Path dir;

  @Test
  void fileEntrypointIsItsFileStemAndFunction() throws IOException {
    Path file = write(dir, "jobs/hello.py", "def hello(): pass\n");

    Entrypoint entrypoint = Entrypoint.parse(file + ":hello");

    assertTrue(entrypoint.isFile());
    assertEquals(file, entrypoint.file());
    assertEquals("hello", entrypoint.module());
    assertEquals("hello", entrypoint.function());
    assertEquals("hello:hello", entrypoint.callable());
  }

  @Test
  void fileEntrypointWhoseFileIsMissingNamesItsAbsolutePath() {
    Path missing = dir.resolve("nowhere/hello.py");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Entrypoint.parse(missing + ":hello"));

    assertEquals("entrypoint file " + missing + " does not exist", e.getMessage());
  }

  @Test
  void fileEntrypointWhoseNameIsNoModuleIsRefused() throws IOException {
    Path file = write(dir, "my-job.py", "def run(): pass\n");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Entrypoint.parse(file + ":run"));

    assertTrue(e.getMessage().contains("the file name my-job.py cannot be imported as a Python module"),
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "hello.py:2go      | '2go' is not a Python function name",
      "hello.py:run-it   | 'run-it' is not a Python function name",
      "hello.py:         | has no function name after ':'",
      ":hello            | has no file before ':'",
      "hello.txt:hello   | hello.txt is not a .py file",
      "pkg.mod:run       | pkg.mod is not a .py file (for a qualified name, write pkg.mod.run)",
      "hello.py          | names a file but no function: give hello.py:function",
      "hello             | must be path/to/file.py:function or a qualified name pkg.module.function",
      "pkg..func         | must be path/to/file.py:function or a qualified name pkg.module.function",
      "pkg.2mod.func     | must be path/to/file.py:function or a qualified name pkg.module.function",
      "'  '              | the entrypoint is empty",
  })
  void malformedEntrypointsAreRefusedWithTheExpectedForm(String text, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Entrypoint.parse(text));

    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void qualifiedNameSplitsModuleAndFunction() {
    Entrypoint entrypoint = Entrypoint.parse("pkg.mod.func");

    assertFalse(entrypoint.isFile());
    assertNull(entrypoint.file());
    assertEquals("pkg.mod", entrypoint.module());
    assertEquals("func", entrypoint.function());
    assertEquals("pkg.mod:func", entrypoint.callable());
  }

  @Test
  void qualifiedNameOfTwoIdentifiersIsAModuleAndAFunction() {
    assertEquals("helpers:run", Entrypoint.parse("helpers.run").callable());
  }
}
