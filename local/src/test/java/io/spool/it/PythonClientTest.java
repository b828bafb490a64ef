package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.config.SpoolConfig;
import io.spool.local.SpoolClusterExtension;
import io.spool.server.SpoolServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Python client ({@code python/}) as its users get it: built as a wheel, installed with pip into a fresh venv,
 * and run against a Spool server on the embedded cluster: the library's own tests (offline and live), then every
 * script of {@code examples/python/} (the seeds' examples with their import line changed), each expected to exit 0.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(1800)
class PythonClientTest {

  private static final Path PROJECT = Paths.get(System.getProperty("basedir", "."), "..").toAbsolutePath()
      .normalize();
  private static final Path PACKAGE = PROJECT.resolve("python");
  private static final Path EXAMPLES = PROJECT.resolve("examples").resolve("python");
  private static final long STEP_MINUTES = 10;

  private SpoolServer server;
  private Path venvPython;

  @BeforeAll
  void installTheClient(Configuration clusterConf) throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    Path target = Paths.get(System.getProperty("basedir", "."), "target").toAbsolutePath();
    Path venv = target.resolve("python-client-venv");
    Path wheels = target.resolve("python-client-wheels");
    FileUtil.fullyDelete(venv.toFile());
    FileUtil.fullyDelete(wheels.toFile());
    String python = conf.get(SpoolConfig.IMAGE_PREFIX + conf.get(SpoolConfig.IMAGE_DEFAULT)
        + SpoolConfig.IMAGE_INTERPRETER_SUFFIX);
    run(List.of(python, "-m", "venv", venv.toString()), PROJECT, Map.of());
    venvPython = venv.resolve("bin").resolve("python");
    // what building the wheel needs, and numpy for the examples that use it on the client side as the seed does
    run(List.of(venvPython.toString(), "-m", "pip", "install", "-q", "setuptools", "wheel", "numpy"), PROJECT,
        Map.of());
    run(List.of(venvPython.toString(), "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
        wheels.toString(), PACKAGE.toString()), PROJECT, Map.of());
    List<String> install = new ArrayList<>(List.of(venvPython.toString(), "-m", "pip", "install", "-q",
        "--no-deps"));
    try (Stream<Path> built = Files.list(wheels)) {
      built.filter(p -> p.toString().endsWith(".whl")).forEach(p -> install.add(p.toString()));
    }
    assertEquals(7, install.size(), "pip wheel built one wheel: " + install);
    run(install, PROJECT, Map.of());
    server = SpoolServer.start(conf, new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Map<String, String> live() {
    return Map.of("SPOOL_URL", server.uri().toString(), "SPOOL_USER", System.getProperty("user.name"));
  }

  @Test
  void theLibrarysTestsPassAgainstTheServer() throws Exception {
    String out = run(List.of(venvPython.toString(), "-m", "unittest", "discover", "-v", "-s",
        PACKAGE.resolve("tests").toString(), "-t", PACKAGE.toString()), PACKAGE, live());
    assertTrue(out.contains("test_live_"), "the live tests ran:\n" + out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("OK")), out);
  }

  @TestFactory
  Stream<DynamicTest> theSeedsExamplesRunUnchangedButForTheImport() throws IOException {
    List<Path> scripts;
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      scripts = files.filter(p -> p.toString().endsWith(".py")).sorted().toList();
    }
    assertFalse(scripts.isEmpty(), "no examples in " + EXAMPLES);
    return scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(),
        () -> run(List.of(venvPython.toString(), script.toString()), EXAMPLES, live())));
  }

  /** Runs a command to its end; fails with its output unless it exits 0; returns the output. */
  private static String run(List<String> command, Path dir, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().remove("PYTHONPATH");
    Path log = Files.createTempFile("python-client-", ".log");
    builder.redirectOutput(log.toFile());
    Process p = builder.start();
    boolean ended = p.waitFor(STEP_MINUTES, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertTrue(ended, String.join(" ", command) + " ran over " + STEP_MINUTES + " min:\n" + out);
    assertEquals(0, p.exitValue(), String.join(" ", command) + " (in " + dir + ") failed:\n" + out);
    return out;
  }
}
