package io.spool.core.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result and log stores that keep one file per result and per attempt's log, on the local file system. */
class FileStoresTest {

  private static final String FA = "aaaaaaaaaa";
  private static final String FB = "bbbbbbbbbb";

  @TempDir
  java.nio.file.Path tempDir;

  private BlobStore blobs;
  private ResultStore results;
  private LogStore logs;

  @BeforeEach
  void openStores() throws IOException {
    blobs = new BlobStore(FileSystem.getLocal(new Configuration()), new Path(tempDir.resolve("root").toString()));
    results = ResultStore.on(blobs);
    logs = LogStore.on(blobs);
  }

  private java.nio.file.Path local(String name, String content) throws IOException {
    return Files.writeString(tempDir.resolve(name), content);
  }

  private String put(String owner, String jobId, String content, List<String> tags) throws IOException {
    BlobMetadata metadata = new BlobMetadata().functionId(jobId.substring(0, 10)).jobId(jobId).kind("json")
        .size(content.length()).creationDate(Instant.now()).tags(tags);
    return results.put(owner, jobId, local(jobId, content), metadata, true);
  }

  @Test
  void aResultIsReadBackByItsLocationWithItsMetadata() throws Exception {
    String location = put("alice", FA + "-1", "{\"x\":1}", List.of("tile"));
    assertArrayEquals("{\"x\":1}".getBytes(StandardCharsets.UTF_8),
        results.get("alice", FA + "-1", location).orElseThrow());
    try (InputStream in = results.open("alice", FA + "-1", location).orElseThrow()) {
      assertEquals("{\"x\":1}", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(List.of("tile"), results.metadata("alice", FA + "-1", null).orElseThrow().tags());
    ResultStore.Entry entry = results.find("alice", FA + "-1", null).orElseThrow();
    assertEquals(List.of("alice", FA + "-1", FA + "/" + FA + "-1", location, 7L),
        List.of(entry.owner(), entry.jobId(), entry.name(), entry.location(), entry.size()));
    assertTrue(blobs.exists(entry.file()), entry.file());
    assertArrayEquals(results.get("alice", FA + "-1", location).orElseThrow(),
        results.get("alice", FA + "-1", null).orElseThrow(), "a record from before locations reads the same result");
    assertTrue(results.get("bob", FA + "-1", location).isEmpty(), "results are kept per owner");
  }

  @Test
  void aRetriedAttemptReplacesTheResult() throws Exception {
    put("alice", FA + "-1", "1", List.of());
    BlobMetadata second = new BlobMetadata().jobId(FA + "-1").kind("json").size(1);
    String location = results.put("alice", FA + "-1", local("again", "2"), second, false);
    assertEquals("2", new String(results.get("alice", FA + "-1", location).orElseThrow(), StandardCharsets.UTF_8));
  }

  @Test
  void listingGoesFunctionByFunctionInJobOrderAndFiltersByPrefix() throws Exception {
    for (String job : List.of(FA + "-10", FA + "-2", FA + "-1", FB + "-1")) {
      put("alice", job, "1", List.of());
    }
    put("bob", FA + "-3", "1", List.of());
    assertEquals(List.of(FA + "-1", FA + "-2", FA + "-10", FB + "-1"),
        results.list("alice", null, "").map(ResultStore.Entry::jobId).toList());
    assertEquals(List.of(FB + "-1"), results.list("alice", FB, "").map(ResultStore.Entry::jobId).toList());
    assertEquals(List.of(FA + "-1", FA + "-10"),
        results.list("alice", null, FA + "/" + FA + "-1").map(ResultStore.Entry::jobId).toList());
    assertEquals(List.of(), results.list("carol", null, "").toList(), "an owner with no results lists none");
  }

  @Test
  void deletingAResultOrAFunctionsResultsLeavesTheOthers() throws Exception {
    put("alice", FA + "-1", "1", List.of("t"));
    put("alice", FA + "-2", "2", List.of("t"));
    put("alice", FB + "-1", "3", List.of());
    assertTrue(results.delete("alice", FA + "-1"));
    assertFalse(results.delete("alice", FA + "-1"), "a second delete finds nothing");
    assertTrue(results.find("alice", FA + "-1", null).isEmpty());
    assertTrue(results.metadata("alice", FA + "-1", null).isEmpty());
    assertTrue(results.get("alice", FA + "-2", null).isPresent());
    results.deleteFunction("alice", FA);
    assertEquals(List.of(FB + "-1"), results.list("alice", null, "").map(ResultStore.Entry::jobId).toList());
  }

  @Test
  void anUnknownLocationIsRefusedNotMisread() throws Exception {
    put("alice", FA + "-1", "1", List.of());
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> results.get("alice", FA + "-1", "x:segment:0:1"));
    assertTrue(refused.getMessage().contains("x:segment:0:1"), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> logs.get("alice", FA + "-1", 1, "x:segment:0:1"));
    assertThrows(IllegalArgumentException.class, () -> results.get("alice", FA + "-1", "s/seg/0"),
        "a segment location without its length");
  }

  @Test
  void eachAttemptsLogIsKeptApartAndTheLiveCopyIsWhereTheFinalLogGoes() throws Exception {
    String live = logs.livePath("alice", FA + "-1", 1);
    blobs.write(live, "partial\n".getBytes(StandardCharsets.UTF_8));
    assertEquals("partial\n", new String(logs.get("alice", FA + "-1", 1, null).orElseThrow(), StandardCharsets.UTF_8),
        "a running attempt's log is read from its live copy");
    String first = logs.put("alice", FA + "-1", 1, local("log1", "one\n"), true);
    String second = logs.put("alice", FA + "-1", 2, local("log2", "two\n"), false);
    assertEquals("one\n", new String(logs.get("alice", FA + "-1", 1, first).orElseThrow(), StandardCharsets.UTF_8));
    assertEquals("two\n", new String(logs.get("alice", FA + "-1", 2, second).orElseThrow(), StandardCharsets.UTF_8));
    assertTrue(logs.get("alice", FA + "-1", 3, null).isEmpty(), "an attempt that printed nothing has no log");
    logs.put("alice", FA + "-2", 1, local("log3", "other\n"), false);
    logs.put("alice", FB + "-1", 1, local("log4", "b\n"), false);

    logs.delete("alice", FA + "-1");
    assertTrue(logs.get("alice", FA + "-1", 1, first).isEmpty());
    assertTrue(logs.get("alice", FA + "-1", 2, second).isEmpty());
    assertTrue(logs.get("alice", FA + "-2", 1, null).isPresent(), "another job's log stays");
    logs.deleteFunction("alice", FA);
    assertTrue(logs.get("alice", FA + "-2", 1, null).isEmpty());
    assertTrue(logs.get("alice", FB + "-1", 1, null).isPresent(), "another function's log stays");
  }

  @Test
  void theLogsOfManyJobsAreDeletedTogetherAndAJobWithoutALogIsNoError() throws Exception {
    logs.put("alice", FA + "-1", 1, local("l1", "one\n"), false);
    logs.put("alice", FA + "-2", 1, local("l2", "two\n"), false);
    logs.put("alice", FB + "-1", 1, local("l3", "b\n"), false);
    logs.delete("alice", List.of(FA + "-1", FB + "-1", FA + "-9", "cccccccccc-1"));
    assertTrue(logs.get("alice", FA + "-1", 1, null).isEmpty());
    assertTrue(logs.get("alice", FB + "-1", 1, null).isEmpty());
    assertTrue(logs.get("alice", FA + "-2", 1, null).isPresent(), "a job not named keeps its log");
  }
}
