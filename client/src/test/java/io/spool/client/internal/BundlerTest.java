package io.spool.client.internal;

import static io.spool.client.internal.BundleFiles.entries;
import static io.spool.client.internal.BundleFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundlerTest {

  private static final long NO_LIMIT = Long.MAX_VALUE;

  @TempDir
  Path dir;

  private Path root;

  private Path root() throws IOException {
    if (root == null) {
      root = Files.createDirectories(dir.resolve("src"));
    }
    return root;
  }

  private BundleSpec.Builder spec(String entrypoint) throws IOException {
    return BundleSpec.builder(entrypoint).pythonPath(List.of(root()));
  }

  @Test
  void packageBringsEverySourceFileOfItsSubpackagesButNoCacheOrHiddenFiles() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/core.py", "def run(): pass\n");
    write(root(), "mypkg/sub/__init__.py", "# sub\n");
    write(root(), "mypkg/sub/fast.pyx", "def f(): pass\n");
    write(root(), "mypkg/sub/fast.pxd", "cdef int g()\n");
    write(root(), "mypkg/sub/deep/__init__.py", "");
    write(root(), "mypkg/sub/deep/leaf.py", "X = 1\n");
    write(root(), "mypkg/nsdir/loose.py", "Y = 2\n");
    write(root(), "mypkg/__pycache__/core.cpython-311.pyc", "junk");
    write(root(), "mypkg/__pycache__/stray.py", "junk");
    write(root(), "mypkg/.hidden/secret.py", "junk");
    write(root(), "mypkg/core.pyc", "junk");
    write(root(), "mypkg/notes.txt", "not code");
    write(root(), "other/__init__.py", "");

    Bundle bundle = Bundler.bundle(spec("mypkg.core.run").includeModules(List.of("mypkg")).build(), NO_LIMIT);

    Map<String, String> entries = entries(bundle.zip());
    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "mypkg/__init__.py", "mypkg/core.py", "mypkg/sub/__init__.py",
        "mypkg/sub/fast.pyx", "mypkg/sub/fast.pxd", "mypkg/sub/deep/__init__.py", "mypkg/sub/deep/leaf.py",
        "mypkg/nsdir/loose.py"), entries.keySet());
    assertEquals("# sub\n", entries.get("mypkg/sub/__init__.py"));
    assertEquals("def f(): pass\n", entries.get("mypkg/sub/fast.pyx"));
    assertEquals("mypkg.core:run", bundle.callable());
    assertEquals("run", bundle.functionName());
  }

  @Test
  void subpackageBringsItsParentsInitFiles() throws IOException {
    write(root(), "a/__init__.py", "A = 1\n");
    write(root(), "a/sibling.py", "");
    write(root(), "a/b/__init__.py", "");
    write(root(), "a/b/m.py", "def f(): pass\n");

    Bundle bundle = Bundler.bundle(spec("a.b.m.f").includeModules(List.of("a.b")).build(), NO_LIMIT);

    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "a/__init__.py", "a/b/__init__.py", "a/b/m.py"),
        entries(bundle.zip()).keySet());
  }

  @Test
  void plainModuleBringsItsFileAlone() throws IOException {
    write(root(), "helpers.py", "def help(): pass\n");
    write(root(), "unrelated.py", "");

    Bundle bundle = Bundler.bundle(spec("helpers.help").includeModules(List.of("helpers")).build(), NO_LIMIT);

    Map<String, String> entries = entries(bundle.zip());
    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "helpers.py"), entries.keySet());
    assertEquals("def help(): pass\n", entries.get("helpers.py"));
    assertEquals("helpers:help", bundle.callable());
  }

  @Test
  void moduleIsTakenFromTheFirstRootThatHasIt() throws IOException {
    Path first = Files.createDirectories(dir.resolve("first"));
    Path second = Files.createDirectories(dir.resolve("second"));
    write(first, "helpers.py", "FROM = 'first'\n");
    write(first, "tools/__init__.py", "");
    write(first, "tools/cut.py", "def cut(): pass\n");
    write(second, "helpers.py", "FROM = 'second'\n");
    write(second, "tools/__init__.py", "# second\n");
    write(second, "tools/paste.py", "");
    write(second, "only_second.py", "FROM = 'second'\n");
    BundleSpec spec = BundleSpec.builder("tools.cut.cut")
        .includeModules(List.of("helpers", "tools", "only_second")).pythonPath(List.of(first, second)).build();

    Map<String, String> entries = entries(Bundler.bundle(spec, NO_LIMIT).zip());

    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "helpers.py", "tools/__init__.py", "tools/cut.py",
        "only_second.py"), entries.keySet());
    assertEquals("FROM = 'first'\n", entries.get("helpers.py"));
    assertEquals("", entries.get("tools/__init__.py"));
    assertEquals("FROM = 'second'\n", entries.get("only_second.py"));
  }

  @Test
  void namespacePackageBringsThePortionsOfEveryRoot() throws IOException {
    Path first = Files.createDirectories(dir.resolve("first"));
    Path second = Files.createDirectories(dir.resolve("second"));
    write(first, "ns/one.py", "");
    write(second, "ns/two/__init__.py", "");
    BundleSpec spec = BundleSpec.builder("ns.one.f").includeModules(List.of("ns"))
        .pythonPath(List.of(first, second)).build();

    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "ns/one.py", "ns/two/__init__.py"),
        entries(Bundler.bundle(spec, NO_LIMIT).zip()).keySet());
  }

  @Test
  void moduleFoundNowhereIsAnErrorNamingItAndTheRoots() throws IOException {
    write(root(), "present.py", "");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("present.f").includeModules(List.of("present", "mypkg.absent")).build(), NO_LIMIT));

    assertEquals("includeModules 'mypkg.absent' was not found: no package mypkg/absent/ and no module"
        + " mypkg/absent.py or mypkg/absent.pyx under the python path [" + root() + "]", e.getMessage());
  }

  @Test
  void moduleGivenAsAFileNameIsAnErrorSuggestingItsImportName() throws IOException {
    write(root(), "helpers.py", "");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("helpers.f").includeModules(List.of("helpers.py")).build(), NO_LIMIT));

    assertTrue(e.getMessage().contains("give its import name 'helpers'"), e.getMessage());
  }

  @Test
  void qualifiedEntrypointIntoAnIncludedPackageIsCalledByModuleAndFunction() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/sub/__init__.py", "");
    write(root(), "mypkg/sub/mod.py", "def run(): pass\n");

    Bundle bundle = Bundler.bundle(spec("mypkg.sub.mod.run").includeModules(List.of("mypkg")).build(), NO_LIMIT);

    assertEquals("mypkg.sub.mod:run", bundle.callable());
    assertEquals("run", bundle.functionName());
  }

  @Test
  void qualifiedEntrypointIntoAPackageModuleOrCythonModuleIsAccepted() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/sub/__init__.py", "def run(): pass\n");
    write(root(), "mypkg/fast.pyx", "def go(): pass\n");
    BundleSpec.Builder spec = spec("mypkg.sub.run").includeModules(List.of("mypkg"));

    assertEquals("mypkg.sub:run", Bundler.bundle(spec.build(), NO_LIMIT).callable());
    assertEquals("mypkg.fast:go",
        Bundler.bundle(spec("mypkg.fast.go").includeModules(List.of("mypkg")).build(), NO_LIMIT).callable());
  }

  @Test
  void qualifiedEntrypointWhoseModuleIsNotInTheIncludedPackageIsAnError() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/core.py", "");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("mypkg.missing.run").includeModules(List.of("mypkg")).build(), NO_LIMIT));

    assertEquals("entrypoint 'mypkg.missing.run': the bundle ships 'mypkg' from includeModules but not its module"
        + " mypkg.missing (looked for mypkg/missing.py, mypkg/missing.pyx, mypkg/missing/__init__.py)",
        e.getMessage());
  }

  @Test
  void qualifiedEntrypointFromTheImageIsAcceptedUnchecked() throws IOException {
    write(root(), "mypkg/__init__.py", "");

    Bundle bundle = Bundler.bundle(spec("numpy.linalg.norm").includeModules(List.of("mypkg")).build(), NO_LIMIT);

    assertEquals("numpy.linalg:norm", bundle.callable());
    assertEquals("norm", bundle.functionName());
    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "mypkg/__init__.py"), entries(bundle.zip()).keySet());
  }

  @Test
  void fileEntrypointIsShippedAsATopLevelModule() throws IOException {
    Path file = write(dir, "elsewhere/scripts/hello.py", "def hello(): return 'hi'\n");

    Bundle bundle = Bundler.bundle(spec(file + ":hello").build(), NO_LIMIT);

    Map<String, String> entries = entries(bundle.zip());
    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "hello.py"), entries.keySet());
    assertEquals("def hello(): return 'hi'\n", entries.get("hello.py"));
    assertEquals("hello:hello", bundle.callable());
    assertEquals("hello", bundle.functionName());
  }

  @Test
  void fileEntrypointInsideAnIncludedPackageIsCalledByItsDottedModule() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/jobs/__init__.py", "");
    Path file = write(root(), "mypkg/jobs/nightly.py", "def main(): pass\n");

    Bundle bundle = Bundler.bundle(spec(file + ":main").includeModules(List.of("mypkg")).build(), NO_LIMIT);

    assertEquals("mypkg.jobs.nightly:main", bundle.callable());
    Map<String, String> entries = entries(bundle.zip());
    assertTrue(entries.containsKey("mypkg/jobs/nightly.py"));
    assertFalse(entries.containsKey("nightly.py"));
  }

  @Test
  void fileEntrypointNamedLikeAnIncludedPackageIsAnError() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    Path file = write(dir, "scripts/mypkg.py", "def main(): pass\n");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec(file + ":main").includeModules(List.of("mypkg")).build(), NO_LIMIT));

    assertTrue(e.getMessage().startsWith("entrypoint file " + file + " would be shipped as the top-level module"
        + " 'mypkg', which the included module of that name shadows"), e.getMessage());
  }

  @Test
  void dataGlobsBringMatchingFilesAtTheirRelativePaths() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/data/a.json", "{\"a\": 1}");
    write(root(), "mypkg/data/b.json", "{}");
    write(root(), "mypkg/data/c.csv", "x\n");
    write(root(), "mypkg/data/nested/d.json", "{}");
    write(root(), "top.csv", "t\n");
    write(root(), "deep/er/e.csv", "e\n");
    write(root(), ".venv/lib/f.csv", "hidden\n");
    BundleSpec spec = spec("mypkg.f").includeModules(List.of("mypkg"))
        .includeData(List.of("mypkg/data/*.json", "**/*.csv")).build();

    Bundle bundle = Bundler.bundle(spec, NO_LIMIT);

    Map<String, String> entries = entries(bundle.zip());
    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "mypkg/__init__.py", "mypkg/data/a.json", "mypkg/data/b.json",
        "mypkg/data/c.csv", "top.csv", "deep/er/e.csv"), entries.keySet());
    assertEquals("{\"a\": 1}", entries.get("mypkg/data/a.json"));
    assertEquals(List.of(), bundle.warnings());
  }

  @Test
  void dataPlainPathBringsThatFile() throws IOException {
    write(root(), "config/settings.yaml", "a: 1\n");

    Map<String, String> entries = entries(Bundler.bundle(
        spec("numpy.sum").includeData(List.of("./config/settings.yaml")).build(), NO_LIMIT).zip());

    assertEquals("a: 1\n", entries.get("config/settings.yaml"));
  }

  @Test
  void dataPatternNamingADirectoryIsAnError() throws IOException {
    write(root(), "mypkg/data/a.json", "{}");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("numpy.sum").includeData(List.of("mypkg/data")).build(), NO_LIMIT));

    assertEquals("includeData 'mypkg/data' is a directory: give a glob such as mypkg/data/**", e.getMessage());
  }

  @Test
  void dataPlainPathMatchingNothingIsAnError() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("numpy.sum").includeData(List.of("mypkg/data/missing.json")).build(), NO_LIMIT));

    assertEquals("includeData 'mypkg/data/missing.json' matches no file under the python path [" + root() + "]",
        e.getMessage());
  }

  @Test
  void dataGlobMatchingNothingIsAWarning() throws IOException {
    write(root(), "data/a.json", "{}");

    Bundle bundle = Bundler.bundle(spec("numpy.sum").includeData(List.of("data/*.parquet")).build(), NO_LIMIT);

    assertEquals(List.of("includeData 'data/*.parquet' matched no file under the python path [" + root() + "]"),
        bundle.warnings());
    assertEquals(Set.of(Bundler.MANIFEST_ENTRY), entries(bundle.zip()).keySet());
  }

  @Test
  void dataPatternLeavingThePythonPathIsAnError() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("numpy.sum").includeData(List.of("../secrets/*.txt")).build(), NO_LIMIT));

    assertTrue(e.getMessage().startsWith("includeData '../secrets/*.txt' leaves the python path"), e.getMessage());
  }

  @Test
  void fileBroughtByTwoRulesIsStoredOnce() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/core.py", "");

    Bundle bundle = Bundler.bundle(
        spec("mypkg.core.f").includeModules(List.of("mypkg", "mypkg")).includeData(List.of("mypkg/**")).build(),
        NO_LIMIT);

    assertEquals(Set.of(Bundler.MANIFEST_ENTRY, "mypkg/__init__.py", "mypkg/core.py"),
        entries(bundle.zip()).keySet());
  }

  @Test
  void manifestAndRequirementsDescribeTheBundle() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/data/a.json", "{}");
    Path file = write(root(), "mypkg/run.py", "def go(): pass\n");
    BundleSpec spec = spec(file + ":go").includeModules(List.of("mypkg")).includeData(List.of("mypkg/data/*"))
        .requirements(List.of("numpy >= 1.24", "", "# pinned", "pandas==2.1.*")).build();

    Bundle bundle = Bundler.bundle(spec, NO_LIMIT);

    Map<String, String> entries = entries(bundle.zip());
    assertEquals(List.of("numpy>=1.24", "pandas==2.1.*"), bundle.requirements());
    assertEquals("numpy>=1.24\npandas==2.1.*\n", entries.get(Bundler.REQUIREMENTS_ENTRY));
    JsonNode manifest = Json.tree(entries.get(Bundler.MANIFEST_ENTRY).getBytes(StandardCharsets.UTF_8));
    assertEquals("mypkg.run:go", manifest.get("callable").asText());
    assertEquals(List.of("mypkg/__init__.py", "mypkg/run.py"), texts(manifest.get("modules")));
    assertEquals(List.of("mypkg/data/a.json"), texts(manifest.get("data")));
  }

  @Test
  void bundleWithoutRequirementsHasNoRequirementsFile() throws IOException {
    Bundle bundle = Bundler.bundle(spec("numpy.sum").build(), NO_LIMIT);

    assertEquals(List.of(), bundle.requirements());
    assertFalse(entries(bundle.zip()).containsKey(Bundler.REQUIREMENTS_ENTRY));
  }

  @Test
  void requirementsFileIsReadIntoTheBundle() throws IOException {
    Path requirements = write(dir, "requirements.txt", "# deps\nscipy ~= 1.11\n");

    Bundle bundle = Bundler.bundle(spec("numpy.sum").requirementsFile(requirements).build(), NO_LIMIT);

    assertEquals(List.of("scipy~=1.11"), bundle.requirements());
    assertEquals("scipy~=1.11\n", entries(bundle.zip()).get(Bundler.REQUIREMENTS_ENTRY));
  }

  @Test
  void bundleLargerThanTheLimitIsAnErrorNamingTheSetting() throws IOException {
    byte[] noise = new byte[64 * 1024];
    new Random(7).nextBytes(noise);
    Files.createDirectories(root().resolve("blobs"));
    Files.write(root().resolve("blobs/noise.bin"), noise);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bundler.bundle(spec("numpy.sum").includeData(List.of("blobs/*")).build(), 10_000));

    assertTrue(e.getMessage().matches("the bundle is 6[0-9],[0-9]{3} bytes, more than the limit of 10,000 bytes:"
        + " ship fewer modules or data files, or raise 'spool.bundle.max-bytes'"), e.getMessage());
  }

  @Test
  void sameInputsGiveTheSameBytes() throws IOException {
    write(root(), "mypkg/__init__.py", "");
    write(root(), "mypkg/b.py", "B = 2\n");
    write(root(), "mypkg/a.py", "A = 1\n");
    Path data = write(root(), "mypkg/data/x.json", "{}");
    BundleSpec spec = spec("mypkg.a.f").includeModules(List.of("mypkg")).includeData(List.of("**/*.json"))
        .requirements(List.of("numpy")).build();

    byte[] first = Bundler.bundle(spec, NO_LIMIT).zip();
    Files.setLastModifiedTime(data, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
    byte[] second = Bundler.bundle(spec, NO_LIMIT).zip();

    assertArrayEquals(first, second);
    assertEquals(List.of(".spool/bundle.json", ".spool/requirements.txt", "mypkg/__init__.py", "mypkg/a.py",
        "mypkg/b.py", "mypkg/data/x.json"), entryNamesInOrder(first));
    assertEquals(Set.of(Bundler.ENTRY_TIME), entryTimes(first));
  }

  @Test
  void pythonPathEntryThatIsNoDirectoryIsAnError() {
    Path missing = dir.resolve("no-such-root");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bundler.bundle(
        BundleSpec.builder("numpy.sum").pythonPath(List.of(missing)).build(), NO_LIMIT));

    assertEquals("python path entry " + missing + " is not a directory", e.getMessage());
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static List<String> entryNamesInOrder(byte[] zip) throws IOException {
    return listEntries(zip).stream().map(ZipEntry::getName).toList();
  }

  private static Set<LocalDateTime> entryTimes(byte[] zip) throws IOException {
    return listEntries(zip).stream().map(ZipEntry::getTimeLocal).collect(Collectors.toSet());
  }

  private static List<ZipEntry> listEntries(byte[] zip) throws IOException {
    List<ZipEntry> entries = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        entries.add(entry);
      }
    }
    return entries;
  }
}
