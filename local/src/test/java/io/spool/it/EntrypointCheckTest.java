package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import io.spool.client.BuildFailedException;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * The build imports the entrypoint as an executor will: a function whose entrypoint cannot load ends BUILD_FAILED
 * with a reason naming the file and line, accepts no jobs, and its jobs submitted while it built end FAILURE.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(400)
class EntrypointCheckTest {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private Configuration conf;
  private Spool spool;

  @BeforeAll
  void connect(Configuration conf) {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 5_000);
    this.conf = conf;
    spool = Spool.connect(conf);
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private record Run(int exit, String out, String err) {}

  private Run spool(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), () -> Spool.connect(conf));
    return new Run(exit, out.toString(), err.toString());
  }

  /** The function once built, whether its build failed or not. */
  private static Function built(Function f) throws Exception {
    try {
      f.waitUntilBuilt(WAIT);
    } catch (BuildFailedException e) {
      assertEquals(f.id(), e.functionId());
      assertTrue(e.getMessage().contains(f.statusReason()) && e.getMessage().contains("build-log"), e.getMessage());
    }
    return f;
  }

  /** The job's status once it has ended (read, not waited on: a wait may see it pending on a failed build). */
  private static JobStatus ended(Job job) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!job.refresh().status().isTerminal() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    return job.status();
  }

  private Function function(Path dir, String file, String text, String name) throws Exception {
    Path module = Files.writeString(dir.resolve(file), text);
    return Function.builder(spool, module + ":" + name).memory(256).build().save();
  }

  @Test
  void entrypointsThatCannotLoadFailTheBuildWithTheFileAndLine(@TempDir Path dir) throws Exception {
    Function syntax = function(dir, "bad_syntax.py", "import os\n\ndef run(x)\n    return x\n", "run");
    Function missing = function(dir, "bad_name.py", "def run(x):\n    return x\n", "nosuchfn");
    Function notCallable = function(dir, "bad_value.py", "run = 42\n", "run");
    Function raises = function(dir, "bad_import.py", "import os\n\nraise ValueError('no tiles configured')\n",
        "run");
    Function good = function(dir, "good.py", "def run(x):\n    return x + 1\n", "run");

    assertBuildFailed(built(syntax), "SyntaxError in bad_syntax.py, line 3");
    assertBuildFailed(built(missing), "function 'nosuchfn' is not defined in bad_name.py");
    assertBuildFailed(built(notCallable), "'run' in bad_value.py is not callable (it is an int)");
    assertBuildFailed(built(raises), "ValueError: no tiles configured (bad_import.py, line 3)");
    assertTrue(raises.buildLog().contains("Traceback (most recent call last)"), raises.buildLog());
    assertEquals(FunctionStatus.READY, good.waitUntilBuilt(WAIT), good::buildLog);
    assertTrue(good.buildLog().contains("nothing to build"), good.buildLog());
    Job job = good.call(1);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), job::errorReason);
    assertEquals(2, job.result());
  }

  private static void assertBuildFailed(Function f, String reason) {
    assertEquals(FunctionStatus.BUILD_FAILED, f.status(), f::buildLog);
    assertTrue(f.statusReason().contains(reason), f.statusReason());
    assertTrue(f.buildLog().contains(reason), f.buildLog());
  }

  @Test
  void aFunctionWhoseBuildFailedAcceptsNoJobsAndNothingIsWritten(@TempDir Path dir) throws Exception {
    Function f = built(function(dir, "typo.py", "def run(x):\n    return x\n", "rnu"));
    assertEquals(FunctionStatus.BUILD_FAILED, f.status());
    BuildFailedException call = assertThrows(BuildFailedException.class, () -> f.call(1));
    assertTrue(call.getMessage().contains("failed to build and accepts no jobs")
        && call.getMessage().contains("function 'rnu' is not defined in typo.py")
        && call.getMessage().contains("nothing was submitted"), call.getMessage());
    assertThrows(BuildFailedException.class, () -> f.map(List.of(List.of(1), List.of(2))));
    assertThrows(BuildFailedException.class, f::rerun);

    Run submit = spool("job", "submit", f.id(), "2");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, submit.exit(), submit.out() + submit.err());
    assertEquals("", submit.out());
    assertTrue(submit.err().contains("function 'rnu' is not defined in typo.py"), submit.err());

    assertEquals(0, f.jobs().count(), "no job was written");
    assertEquals(0L, f.jobStatistics().values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void createWaitExitsThreeWithTheReasonWhenTheEntrypointCannotLoad(@TempDir Path dir) throws Exception {
    Path module = Files.writeString(dir.resolve("cli_typo.py"), "def run(x):\n    return x\n");
    Run broken = spool("function", "create", module + ":nosuchfn", "--memory", "256", "--wait");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, broken.exit(), broken.out() + broken.err());
    String id = broken.out().strip();
    assertEquals(FunctionStatus.BUILD_FAILED, Function.get(spool, id).status(), "the id printed is the function's");
    assertTrue(broken.err().contains("function 'nosuchfn' is not defined in cli_typo.py")
        && broken.err().contains("spool function build-log " + id), broken.err());

    Run good = spool("function", "create", module + ":run", "--memory", "256", "--wait");
    assertEquals(SpoolCli.EXIT_OK, good.exit(), good.out() + good.err());
    assertEquals(FunctionStatus.READY, Function.get(spool, good.out().strip()).status());

    // a wait on a function with no job waits for its build, and says if it failed
    Run fresh = spool("function", "create", module + ":nosuchfn", "--memory", "256");
    Run wait = spool("function", "wait", fresh.out().strip(), "--timeout", "300", "--progress", "never");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, wait.exit(), wait.out() + wait.err());
    assertTrue(wait.err().contains("is not defined in cli_typo.py"), wait.err());
  }

  @Test
  void jobsSubmittedWhileItBuiltEndFailureWithTheBuildsReasonWithoutRunning(@TempDir Path dir) throws Exception {
    // the import takes long enough for jobs to be submitted while the function builds
    Function f = function(dir, "slow_then_broken.py", "import time\ntime.sleep(6)\nraise ImportError('no GDAL')\n",
        "run");
    List<Job> jobs = f.map(List.of(List.of(1), List.of(2), List.of(3)));
    for (Job job : jobs) {
      assertEquals(JobStatus.FAILURE, ended(job), job::errorReason);
      assertTrue(job.errorReason().startsWith("the function's build failed: ")
          && job.errorReason().contains("ImportError: no GDAL (slow_then_broken.py, line 3)"), job.errorReason());
      assertEquals(0, job.executionCount(), "the job never ran");
    }
    assertEquals(FunctionStatus.BUILD_FAILED, f.refresh().status());
    Map<JobStatus, Long> counts = f.jobStatistics();
    assertEquals(3L, counts.get(JobStatus.FAILURE));
    assertEquals(0L, counts.get(JobStatus.PENDING));
    assertEquals(3L, f.jobs().status(JobStatus.FAILURE).count());

    Run wait = spool("job", "wait", jobs.get(0).id(), jobs.get(1).id(), "--timeout", "60", "--progress", "never");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, wait.exit(), wait.out() + wait.err());
    assertTrue(wait.err().contains("never ran: the build of function " + f.id() + " failed"), wait.err());
    Run functionWait = spool("function", "wait", f.id(), "--timeout", "60", "--progress", "never");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, functionWait.exit(), functionWait.out() + functionWait.err());
  }
}
