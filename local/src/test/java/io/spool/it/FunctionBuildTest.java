package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.BuildFailedException;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Builds: packages with data and Cython, pip requirements into a shared cached environment, failed builds. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(400)
class FunctionBuildTest {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private Spool spool;
  private Path pkgs;

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    spool = Spool.connect(conf);
    pkgs = Paths.get(FunctionBuildTest.class.getResource("/python/pkgs").toURI());
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private static void awaitBuilt(Function f) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (f.refresh().status() == FunctionStatus.BUILDING && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  @Test
  void packageWithDataCythonAndAPinnedRequirementRunsByQualifiedName() throws Exception {
    Function geo = Function.builder(spool, "geo_pkg.sub.reader.read_both").memory(512)
        .includeModules(List.of("geo_pkg")).includeData(List.of("geo_pkg/data/*.json"))
        .requirements(List.of("idna==3.20")).pythonPath(List.of(pkgs)).build().save();
    assertEquals("read_both", geo.name());
    Job job = geo.call();
    awaitBuilt(geo);
    assertEquals(FunctionStatus.READY, geo.status(), geo::buildLog);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), () -> job.errorReason() + "\n" + job.log()
        + "\nbuild log:\n" + geo.buildLog());
    Map<?, ?> result = (Map<?, ?>) job.result();
    Map<String, Object> tiles = Map.of("tiles", List.of(1, 2, 3), "name", "continental");
    assertEquals(tiles, result.get("resources"));
    assertEquals(tiles, result.get("pkg_resources"));
    assertEquals("3.20", result.get("idna"), "the pinned version wins over the image's");
    assertEquals(5, result.get("fast"));
    assertEquals(true, result.get("compiled"));
    String log = geo.buildLog();
    assertTrue(log.contains("idna==3.20"), log);
    assertTrue(log.contains("geo_pkg.fast") || log.contains("fast.pyx"), log);

    Function same = Function.builder(spool, "geo_pkg.sub.reader.idna_version").memory(256)
        .includeModules(List.of("geo_pkg.sub")).requirements(List.of("idna==3.20")).pythonPath(List.of(pkgs))
        .build().save();
    Job again = same.call();
    assertEquals(JobStatus.SUCCESS, again.waitForCompletion(WAIT), () -> again.errorReason() + "\n" + same.buildLog());
    assertEquals("3.20", again.result());
    String reused = same.buildLog();
    assertTrue(reused.contains("reused the environment") && reused.contains("pip did not run"), reused);
    assertFalse(reused.contains("pip install"), reused);

    // an environment reused from the cache still gets its entrypoint checked
    Function typo = Function.builder(spool, "geo_pkg.sub.reader.read_bothh").memory(256)
        .includeModules(List.of("geo_pkg.sub")).requirements(List.of("idna==3.20")).pythonPath(List.of(pkgs))
        .build().save();
    BuildFailedException failed = assertThrows(BuildFailedException.class, () -> typo.waitUntilBuilt(WAIT));
    assertEquals(FunctionStatus.BUILD_FAILED, typo.status());
    assertTrue(failed.getMessage().contains("function 'read_bothh' is not defined in geo_pkg/sub/reader.py"),
        failed.getMessage());
    String checked = typo.buildLog();
    assertTrue(checked.contains("reused the environment") && checked.contains("read_bothh"), checked);
  }

  @Test
  void requirementTypoFailsTheBuildAndItsJobsNeverRun() throws Exception {
    Function typo = Function.builder(spool, "geo_pkg.sub.reader.idna_version").memory(256)
        .includeModules(List.of("geo_pkg.sub")).requirements(List.of("idnaa-not-a-package==1.0"))
        .pythonPath(List.of(pkgs)).build().save();
    Job job = typo.call();
    awaitBuilt(typo);
    assertEquals(FunctionStatus.BUILD_FAILED, typo.status());
    assertTrue(typo.statusReason().contains("idnaa-not-a-package"), typo.statusReason());
    assertTrue(typo.buildLog().contains("No matching distribution found for idnaa-not-a-package==1.0"),
        typo.buildLog());
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (job.refresh().status() == JobStatus.PENDING && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(JobStatus.FAILURE, job.status());
    assertTrue(job.errorReason().startsWith("the function's build failed: ") && job.errorReason()
        .contains("idnaa-not-a-package"), job.errorReason());
    assertEquals(0, job.executionCount());
    BuildFailedException again = assertThrows(BuildFailedException.class, typo::call);
    assertTrue(again.getMessage().contains("build log"), again.getMessage());
  }

  @Test
  void badRequirementLinesAndModulesAreRefusedAtSaveAndNothingIsCreated(@TempDir Path dir) throws Exception {
    int before = Function.list(spool).size();
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, "geo_pkg.sub.reader.idna_version").requirements(List.of("idna>>1"))
            .pythonPath(List.of(pkgs)).build().save());
    assertTrue(typo.getMessage().contains("idna>>1"), typo.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, "geo_pkg.sub.reader.idna_version").includeModules(List.of("no_such_pkg"))
            .pythonPath(List.of(pkgs)).build().save());
    assertTrue(missing.getMessage().contains("no_such_pkg"), missing.getMessage());
    Files.createDirectories(dir.resolve("somedir"));
    IllegalArgumentException directory = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, "geo_pkg.sub.reader.idna_version").includeData(List.of("somedir"))
            .pythonPath(List.of(dir)).build().save());
    assertTrue(directory.getMessage().contains("is a directory"), directory.getMessage());
    IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
        () -> Function.builder(spool, "geo_pkg.sub.reader.idna_version").includeData(List.of("nope.csv"))
            .pythonPath(List.of(dir)).build().save());
    assertTrue(nothing.getMessage().contains("nope.csv"), nothing.getMessage());
    assertEquals(before, Function.list(spool).size());
  }

  @Test
  void bundleOverTheConfiguredMaximumIsRefused(Configuration conf, @TempDir Path dir) throws Exception {
    Files.write(dir.resolve("big.bin"), new java.util.Random(1).ints(300_000).mapToObj(Integer::toString)
        .reduce(new StringBuilder(), StringBuilder::append, StringBuilder::append).toString().getBytes());
    Files.writeString(dir.resolve("tiny.py"), "def f():\n    return 1\n");
    conf.setLong(SpoolConfig.BUNDLE_MAX_BYTES, 100_000);
    try (Spool small = Spool.connect(conf)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Function.builder(small, dir.resolve("tiny.py") + ":f").includeData(List.of("big.bin"))
              .pythonPath(List.of(dir)).build().save());
      assertTrue(e.getMessage().contains(SpoolConfig.BUNDLE_MAX_BYTES), e.getMessage());
    }
  }
}
