package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code spool job list/cancel/rerun/delete/wait}, {@code function wait} and {@code blob …} on the embedded cluster. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class CliJobsTest {

  private Configuration conf;
  private String jobsPy;

  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    JsonNode json() throws Exception {
      return Json.values().readTree(out);
    }
  }

  @BeforeAll
  void setUp(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    this.conf = conf;
    jobsPy = Paths.get(CliJobsTest.class.getResource("/python/jobs.py").toURI()).toString();
  }

  private Run spool(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), () -> Spool.connect(conf));
    return new Run(exit, out.toString(), err.toString());
  }

  private static List<String> ids(JsonNode array) {
    List<String> ids = new ArrayList<>();
    array.forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }

  @Test
  void taggedJobsAreListedFilteredRerunAndDeletedBySearch(@TempDir Path dir) throws Exception {
    String fid = spool("function", "create", jobsPy + ":odd_fails", "--memory", "256").out().trim();
    Run tagged = spool("job", "submit", fid, "1", "2", "--tag", "tile", "--tag", "2024");
    assertEquals(0, tagged.exit(), tagged.err());
    assertEquals(0, spool("job", "submit", fid, "3", "4", "--tag", "tile").exit());

    Run wait = spool("job", "wait", fid + "-1", fid + "-2", fid + "-3", fid + "-4", "--timeout", "180",
        "--progress", "never");
    assertEquals(SpoolCli.EXIT_JOBS_FAILED, wait.exit(), wait.out() + wait.err());
    assertFalse(wait.out().contains("\r"), wait.out());
    List<String> lines = wait.lines();
    assertEquals("done: SUCCESS=2 FAILURE=2", lines.get(lines.size() - 1), wait.out());
    assertTrue(lines.contains(fid + "-1 FAILURE ValueError: 1 is odd"), wait.out());
    assertTrue(lines.contains(fid + "-3 FAILURE ValueError: 3 is odd"), wait.out());
    assertFalse(wait.out().contains(fid + "-2 "), "succeeded jobs get no line of their own:\n" + wait.out());

    assertEquals(List.of(fid + "-1", fid + "-2"), ids(spool("job", "list", fid, "--tag", "2024", "--json").json()));
    assertEquals(List.of(fid + "-1", fid + "-2", fid + "-3", fid + "-4"),
        ids(spool("job", "list", fid, "--tag", "tile", "--json").json()));
    JsonNode failed = spool("job", "search", fid, "--status", "FAILURE", "--sort", "id", "--descending", "--json")
        .json();
    assertEquals(List.of(fid + "-3", fid + "-1"), ids(failed));
    JsonNode three = failed.get(0);
    assertEquals(fid, three.get("functionId").asText());
    assertEquals("FAILURE", three.get("status").asText());
    assertEquals(1, three.get("executionCount").asInt());
    assertEquals("ValueError: 3 is odd", three.get("errorReason").asText());
    assertTrue(three.get("runtime").isNumber(), three.toString());
    assertEquals("tile", three.get("tags").get(0).asText());
    for (String date : List.of("creationDate", "lastExecutionDate", "lastCompletionDate")) {
      java.time.Instant.parse(three.get(date).asText());
    }
    assertTrue(three.has("exitCode"), three.toString());
    com.fasterxml.jackson.databind.node.ObjectNode got =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.values().readTree(spool("job", "get", fid + "-3",
            "--json").out());
    assertEquals("[3]", got.get("args").toString(), "job get shows the arguments: " + got);
    assertEquals("{}", got.get("kwargs").toString());
    assertTrue(three.get("args").isNull(), "a list leaves them out: " + three);
    got.putNull("args").putNull("kwargs");
    assertEquals(got, three, "job get and job list show the same view of a job");
    assertEquals(List.of(fid + "-2"), ids(spool("job", "list", fid, "--page", "1", "--page-size", "1",
        "--json").json()));
    Run text = spool("job", "list", fid, "--status", "FAILURE");
    assertTrue(text.out().lines().anyMatch(l -> l.startsWith(fid + "-1 ") && l.contains("FAILURE")
        && l.contains("ValueError: 1 is odd")), text.out());

    Run rerun = spool("job", "rerun", "--function", fid, "--status", "FAILURE", "--tag", "2024", "--json");
    assertEquals(0, rerun.exit(), rerun.err());
    assertEquals(1, rerun.json().get("rerun").asInt());
    Run again = spool("job", "wait", fid + "-1", "--timeout", "180", "--progress", "never");
    assertEquals(SpoolCli.EXIT_JOBS_FAILED, again.exit(), again.out() + again.err());
    assertEquals(2, spool("job", "get", fid + "-1", "--json").json().get("executionCount").asInt());
    assertEquals(List.of(fid + "-1"), ids(spool("job", "list", fid, "--min-executions", "2", "--json").json()));

    Run blobs = spool("blob", "list", "--function", fid, "--json");
    assertEquals(0, blobs.exit(), blobs.err());
    List<String> names = new ArrayList<>();
    blobs.json().forEach(b -> names.add(b.get("name").asText()));
    assertEquals(List.of(fid + "/" + fid + "-2", fid + "/" + fid + "-4"), names);
    assertEquals("2", spool("blob", "get", fid + "/" + fid + "-2").out().trim());
    JsonNode meta = spool("blob", "get", fid + "/" + fid + "-4", "--metadata").json();
    assertEquals(fid + "-4", meta.get("jobId").asText());
    Path file = dir.resolve("four.json");
    assertEquals(0, spool("blob", "get", fid + "/" + fid + "-4", "-o", file.toString()).exit());
    assertEquals("4", Files.readString(file).trim());
    Run deleteBlob = spool("blob", "delete", fid + "/" + fid + "-4");
    assertEquals(0, deleteBlob.exit(), deleteBlob.err());
    assertEquals(1, spool("blob", "list", "--prefix", fid + "/", "--json").json().size());

    Run delete = spool("job", "delete", "--function", fid, "--status", "SUCCESS", "--delete-results", "--json");
    assertEquals(0, delete.exit(), delete.err());
    assertEquals(2, delete.json().get("deleted").asInt());
    assertEquals(List.of(fid + "-1", fid + "-3"), ids(spool("job", "list", fid, "--json").json()));
    assertEquals(0, spool("blob", "list", "--function", fid, "--json").json().size());
    Run byId = spool("job", "delete", fid + "-3");
    assertEquals(0, byId.exit(), byId.err());
    assertEquals(SpoolCli.EXIT_ERROR, spool("job", "get", fid + "-3").exit());
  }

  @Test
  void waitTimesOutWithFourAndCancelByIdsEndsTheJobs() throws Exception {
    String fid = spool("function", "create", jobsPy + ":sleepy", "--memory", "256").out().trim();
    List<String> ids = spool("job", "submit", fid, "60", "60").lines();
    Run wait = spool("job", "wait", ids.get(0), ids.get(1), "--timeout", "2", "--progress", "never",
        "--no-cancel-on-interrupt");
    assertEquals(SpoolCli.EXIT_TIMEOUT, wait.exit(), wait.out() + wait.err());
    assertTrue(wait.err().contains("2 of 2 jobs have not ended after 2 s"), wait.err());
    assertTrue(wait.lines().get(wait.lines().size() - 1).startsWith("done: "), wait.out());
    Run cancel = spool("job", "cancel", ids.get(0), ids.get(1));
    assertEquals(0, cancel.exit(), cancel.err());
    assertEquals(ids, cancel.lines());
    Run waitCanceled = spool("job", "wait", ids.get(0), ids.get(1), "--timeout", "120", "--progress", "never");
    assertEquals(SpoolCli.EXIT_JOBS_FAILED, waitCanceled.exit(), waitCanceled.out() + waitCanceled.err());
    assertTrue(waitCanceled.out().contains("done: CANCELED=2"), waitCanceled.out());
    Run fnWait = spool("function", "wait", fid, "--timeout", "60", "--progress", "never");
    assertEquals(SpoolCli.EXIT_JOBS_FAILED, fnWait.exit(), fnWait.out() + fnWait.err());
  }

  @Test
  void functionWaitExitsZeroWhenAllSucceeded() {
    String fid = spool("function", "create", jobsPy + ":echo", "--memory", "256").out().trim();
    assertEquals(0, spool("job", "submit", fid, "1", "2", "3").exit());
    Run wait = spool("function", "wait", fid, "--timeout", "180", "--progress", "never");
    assertEquals(SpoolCli.EXIT_OK, wait.exit(), wait.out() + wait.err());
    assertEquals("done: SUCCESS=3", wait.lines().get(wait.lines().size() - 1), wait.out());
  }

  @Test
  void aFailedBuildExitsThree() {
    String fid = spool("function", "create", jobsPy + ":echo", "--memory", "256", "--requirement",
        "nonexistent-package-spool-test==1.0").out().trim();
    Run submit = spool("job", "submit", fid, "1", "--wait", "--timeout", "240", "--progress", "never");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, submit.exit(), submit.out() + submit.err());
    assertTrue(submit.err().contains("spool function build-log " + fid), submit.err());
    Run fnWait = spool("function", "wait", fid, "--timeout", "60", "--progress", "never");
    assertEquals(SpoolCli.EXIT_BUILD_FAILED, fnWait.exit(), fnWait.out() + fnWait.err());
  }
}
