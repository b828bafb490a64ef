package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.local.SpoolClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code spool} command line against the embedded cluster, in process. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class CliTest {

  private Configuration conf;
  private String jobsPy;

  /** What one command printed and returned. */
  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  @BeforeAll
  void setUp(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    this.conf = conf;
    jobsPy = Paths.get(CliTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  private Run spool(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), () -> Spool.connect(conf));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void createSubmitWaitResultAndLog() {
    Run create = spool("function", "create", jobsPy + ":hello", "--memory", "256Mi", "--maximum-concurrency", "2");
    assertEquals(0, create.exit(), create.err());
    String fid = create.out().trim();
    Run submit = spool("job", "submit", fid, "1", "[2]", "\"three\"");
    assertEquals(0, submit.exit(), submit.err());
    List<String> ids = submit.lines();
    assertEquals(List.of(fid + "-1", fid + "-2", fid + "-3"), ids);
    Run wait = spool("job", "wait", ids.get(0), ids.get(1), ids.get(2), "--timeout", "180");
    assertEquals(0, wait.exit(), wait.out() + wait.err());
    assertTrue(wait.out().endsWith("done: SUCCESS=3\n"), wait.out());
    assertEquals("\"hello three\"", spool("job", "result", ids.get(2)).out().trim());
    assertEquals("\"hello 2\"", spool("job", "result", ids.get(1)).out().trim());
    Run log = spool("job", "log", ids.get(0));
    assertTrue(log.out().contains("saying hello to 1"), log.out());
    assertTrue(log.out().contains("hello 1 on stderr"), log.out());
    Run get = spool("function", "get", fid, "--json");
    assertTrue(get.out().contains("\"status\":\"READY\""), get.out());
  }

  @Test
  void createFromASpecFileWhoseValuesFlagsOverride(@TempDir Path dir) throws Exception {
    Files.copy(Paths.get(jobsPy), dir.resolve("jobs.py"));
    Path spec = dir.resolve("greet.json");
    Files.writeString(spec, "{\"entrypoint\": \"jobs.py:greet\", \"name\": \"greeter\", \"memory\": \"256Mi\","
        + " \"maximumConcurrency\": 3, \"retryCount\": 1, \"jobProcess\": \"fresh\", \"maxJobsPerProcess\": 50,"
        + " \"environment\": {\"MODE\": \"spec\"}}");
    Run create = spool("function", "create", "--spec", spec.toString(), "--maximum-concurrency", "2", "--job-process",
        "reused", "--json");
    assertEquals(0, create.exit(), create.err());
    assertTrue(create.out().contains("\"jobProcess\":\"reused\",\"maxJobsPerProcess\":50"), create.out());
    assertTrue(create.out().contains("\"name\":\"greeter\""), create.out());
    assertTrue(create.out().contains("\"maximumConcurrency\":2"), "the flag wins: " + create.out());
    assertTrue(create.out().contains("\"retryCount\":1") && create.out().contains("\"memory\":256"), create.out());
    String fid = Json.values().readTree(create.out()).get("id").asText();
    Run submit = spool("job", "submit", fid, "\"Ada\"", "--wait", "--timeout", "180");
    assertEquals(0, submit.exit(), submit.out() + submit.err());
    assertEquals("\"Hello, Ada.\"", spool("job", "result", fid + "-1").out().trim());
    Run buildLog = spool("function", "build-log", fid, "--no-timestamps");
    assertTrue(buildLog.out().startsWith("[spool-build] nothing to build"), buildLog.out());
    assertTrue(buildLog.out().lines().noneMatch(l -> l.matches("^\\d{4}-\\d{2}-\\d{2}T.*")), buildLog.out());
    assertTrue(spool("function", "build-log", fid).out().lines().allMatch(l -> l.matches("^\\d{4}-\\d{2}-\\d{2}T.*")));

    Files.writeString(spec, "{\"entrypoint\": \"jobs.py:greet\", \"memmory\": 256}");
    Run typo = spool("function", "create", "--spec", spec.toString());
    assertEquals(SpoolCli.EXIT_USAGE, typo.exit());
    assertTrue(typo.err().contains("'memmory' is not a function attribute"), typo.err());
    Run none = spool("function", "create");
    assertEquals(SpoolCli.EXIT_USAGE, none.exit());
    assertTrue(none.err().contains("ENTRYPOINT"), none.err());
    Run badMode = spool("function", "create", "jobs.py:greet", "--job-process", "forked");
    assertEquals(SpoolCli.EXIT_USAGE, badMode.exit());
    assertTrue(badMode.err().contains("jobProcess must be one of [fresh, reused], not 'forked'"), badMode.err());
    Run badMax = spool("function", "update", fid, "--max-jobs-per-process", "-1");
    assertEquals(SpoolCli.EXIT_USAGE, badMax.exit());
    assertTrue(badMax.err().contains("maxJobsPerProcess must be 0 (no limit) or more, not -1"), badMax.err());
  }

  @Test
  void submitFromAJsonLinesFileWithKwargsAndWait(@TempDir Path dir) throws Exception {
    String fid = spool("function", "create", jobsPy + ":greet", "--memory", "256").out().trim();
    Path file = dir.resolve("jobs.jsonl");
    Files.writeString(file, "[\"Ada\"]\n\n{\"args\": [\"Bob\"], \"kwargs\": {\"greeting\": \"Hi\"}}\n");
    Run submit = spool("job", "submit", fid, "--file", file.toString(), "--kwargs", "{\"punctuation\": \"!\"}",
        "--wait", "--timeout", "180");
    assertEquals(0, submit.exit(), submit.out() + submit.err());
    assertEquals("\"Hello, Ada!\"", spool("job", "result", fid + "-1").out().trim());
    assertEquals("\"Hi, Bob.\"", spool("job", "result", fid + "-2").out().trim());
  }

  @Test
  void waitExitsOneWhenAJobFailed() {
    String fid = spool("function", "create", jobsPy + ":boom", "--memory", "256").out().trim();
    Run submit = spool("job", "submit", fid, "\"t1\"", "--wait", "--timeout", "180");
    assertEquals(SpoolCli.EXIT_JOBS_FAILED, submit.exit(), submit.out() + submit.err());
    assertTrue(submit.out().contains("FAILURE jobs.TileError: tile t1 is broken"), submit.out());
    Run result = spool("job", "result", fid + "-1");
    assertEquals(SpoolCli.EXIT_ERROR, result.exit());
    assertTrue(result.err().contains("has no result: it is FAILURE"), result.err());
  }

  @Test
  void badInputIsAUsageErrorWithAClearMessage() {
    Run memory = spool("function", "create", jobsPy + ":hello", "--memory", "2XB");
    assertEquals(SpoolCli.EXIT_USAGE, memory.exit());
    assertTrue(memory.err().contains("memory \"2XB\" is not a memory size"), memory.err());
    Run missing = spool("function", "create", "nope.py:hello");
    assertEquals(SpoolCli.EXIT_USAGE, missing.exit());
    assertTrue(missing.err().contains("does not exist"), missing.err());
    Run notJson = spool("job", "submit", "abcdefghij", "{oops");
    assertEquals(SpoolCli.EXIT_USAGE, notJson.exit());
    assertTrue(notJson.err().contains("is not JSON"), notJson.err());
    Run unknownCommand = spool("job", "frobnicate");
    assertEquals(SpoolCli.EXIT_USAGE, unknownCommand.exit());
  }

  @Test
  void functionLifecycleCommands() throws Exception {
    String fid = spool("function", "create", jobsPy + ":echo", "--memory", "256", "--name", "cli-lifecycle",
        "--no-auto-start").out().trim();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!spool("function", "get", fid, "--json").out().contains("\"status\":\"STOPPED\"")
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertTrue(spool("function", "build-log", fid).out().contains("nothing to build"));
    assertTrue(spool("function", "start", fid, "--json").out().contains("\"status\":\"READY\""));
    assertTrue(spool("function", "disable", fid, "--json").out().contains("\"enabled\":false"));
    Run refused = spool("job", "submit", fid, "1");
    assertEquals(SpoolCli.EXIT_ERROR, refused.exit());
    assertTrue(refused.err().contains("is disabled"), refused.err());
    assertTrue(spool("function", "enable", fid, "--json").out().contains("\"enabled\":true"));
    Run update = spool("function", "update", fid, "--memory", "320Mi", "--maximum-concurrency", "3", "--json");
    assertEquals(0, update.exit(), update.err());
    assertTrue(update.out().contains("\"memory\":320") && update.out().contains("\"maximumConcurrency\":3"),
        update.out());
    Run badUpdate = spool("function", "update", fid, "--timeout", "0");
    assertEquals(SpoolCli.EXIT_USAGE, badUpdate.exit());
    assertTrue(badUpdate.err().contains("timeout must be at least 1 second"), badUpdate.err());
    Run list = spool("function", "list", "--name", "cli-lifecycle", "--json");
    assertTrue(list.out().startsWith("[") && list.out().contains(fid), list.out());
    Run submit = spool("job", "submit", fid, "4", "--wait", "--timeout", "180");
    assertEquals(0, submit.exit(), submit.out() + submit.err());
    Run delete = spool("function", "delete", fid);
    assertEquals(0, delete.exit(), delete.err());
    assertEquals(SpoolCli.EXIT_ERROR, spool("function", "get", fid).exit());
  }

  @Test
  void badRequirementIsAUsageError() {
    Run create = spool("function", "create", jobsPy + ":echo", "--requirement", "idna>>1");
    assertEquals(SpoolCli.EXIT_USAGE, create.exit());
    assertTrue(create.err().contains("idna>>1"), create.err());
  }

  @Test
  void unknownFunctionIsAnError() {
    Run submit = spool("job", "submit", "zzzzzzzzzz", "1");
    assertEquals(SpoolCli.EXIT_ERROR, submit.exit());
    assertTrue(submit.err().contains("no function with id 'zzzzzzzzzz'"), submit.err());
  }
}
