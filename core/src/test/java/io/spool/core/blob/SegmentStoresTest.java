package io.spool.core.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results and logs in executors' segments, on the local file system: what one executor puts, another process reads
 * by location, lists, searches and deletes.
 */
class SegmentStoresTest {

  private static final String FA = "aaaaaaaaaa";
  private static final String OWNER = "alice";

  @TempDir
  java.nio.file.Path tempDir;

  private BlobStore blobs;
  private Segmented<ResultStore> writer;
  private ResultStore executor;
  private ResultStore reader;

  @BeforeEach
  void openStores() throws IOException {
    // the raw local file system: the checksummed one keeps what is written until close, not until hflush
    blobs = new BlobStore(FileSystem.getLocal(new Configuration()).getRaw(),
        new Path(tempDir.resolve("root").toString()));
    writer = ResultStore.writer(blobs, OWNER, FA, "container_1_0001_01_000002", 1 << 20, 3_600_000, 64, 8);
    executor = writer.store();
    reader = ResultStore.on(blobs);
  }

  @AfterEach
  void close() throws IOException {
    writer.close();
  }

  private String put(ResultStore store, String jobId, String content, String... tags) throws IOException {
    java.nio.file.Path local = Files.writeString(tempDir.resolve(jobId + "-" + System.nanoTime()), content);
    BlobMetadata metadata = new BlobMetadata().functionId(FA).jobId(jobId).kind("json").size(content.length())
        .creationDate(Instant.now()).tags(List.of(tags));
    return store.put(OWNER, jobId, local, metadata, true);
  }

  private String read(String jobId, String location) throws IOException {
    return new String(reader.get(OWNER, jobId, location).orElseThrow(), StandardCharsets.UTF_8);
  }

  private List<String> listed() throws IOException {
    return reader.list(OWNER, FA, "").map(ResultStore.Entry::jobId).toList();
  }

  @Test
  void smallResultsShareASegmentTheSmallestTravelInlineAndLargeOnesGetFilesOfTheirOwn() throws Exception {
    String tiny = put(executor, FA + "-1", "[1,2]");
    String small = put(executor, FA + "-2", "\"a result of thirty bytes\"", "tile");
    String large = put(executor, FA + "-3", "x".repeat(100));
    writer.flush();
    assertTrue(tiny.startsWith("s/container_1_0001_01_000002/0/5/"), tiny);
    assertEquals("s/container_1_0001_01_000002/5/26", small, "no inline copy above 8 bytes");
    assertEquals("f", large);
    assertEquals("[1,2]", read(FA + "-1", tiny));
    assertEquals("\"a result of thirty bytes\"", read(FA + "-2", small));
    assertEquals("x".repeat(100), read(FA + "-3", large));
    assertEquals(List.of("tile"), reader.metadata(OWNER, FA + "-2", small).orElseThrow().tags());
    assertEquals(List.of("tile"), reader.metadata(OWNER, FA + "-2", null).orElseThrow().tags(), "looked up");
    ResultStore.Entry entry = reader.find(OWNER, FA + "-2", null).orElseThrow();
    assertEquals(List.of(small, 26L), List.of(entry.location(), entry.size()));
    assertEquals(List.of(FA + "-1", FA + "-2", FA + "-3"), listed());
    long files = countFiles();
    assertEquals(3, files, "one segment, its index and the large result's own file");
  }

  private long countFiles() throws IOException {
    long files = 0;
    var it = blobs.fileSystem().listFiles(blobs.resolve("users"), true);
    while (it.hasNext()) {
      FileStatus f = it.next();
      if (!f.getPath().getName().endsWith(BlobStore.METADATA_FILE_SUFFIX)) { // no extended attributes here
        files++;
      }
    }
    return files;
  }

  @Test
  void aDeletedResultIsGoneEvenThroughItsInlineCopyAndAWhollyDeletedClosedSegmentIsRemoved() throws Exception {
    String first = put(executor, FA + "-1", "1");
    String second = put(executor, FA + "-2", "2");
    writer.flush();
    assertEquals(1, reader.delete(OWNER, List.of(FA + "-1", FA + "-9")), "only a job that has a result counts");
    assertTrue(reader.get(OWNER, FA + "-1", first).isEmpty(), "the inline copy is no way around the delete");
    assertTrue(reader.find(OWNER, FA + "-1", first).isEmpty());
    assertEquals(List.of(FA + "-2"), listed());
    assertEquals(0, reader.compact(OWNER, FA), "a segment with a kept result stays");
    assertEquals("2", read(FA + "-2", second));

    writer.close();
    assertTrue(reader.delete(OWNER, FA + "-2"));
    assertEquals(1, reader.compact(OWNER, FA), "every result deleted: the segment goes");
    assertEquals(List.of(), listed());
    assertTrue(reader.get(OWNER, FA + "-2", second.substring(0, second.lastIndexOf('/'))).isEmpty());
  }

  @Test
  void ofAJobStoredTwiceTheLatestCountsAndALineStillBeingWrittenIsNotRead() throws Exception {
    put(executor, FA + "-1", "\"first attempt\"");
    writer.flush();
    Thread.sleep(5);
    try (Segmented<ResultStore> other = ResultStore.writer(blobs, OWNER, FA, "container_1_0001_01_000003", 1 << 20,
        3_600_000, 64, 0)) {
      String again = put(other.store(), FA + "-1", "\"second attempt\"");
      other.flush();
      ResultStore.Entry entry = reader.find(OWNER, FA + "-1", null).orElseThrow();
      assertEquals(again, entry.location());
      assertEquals(List.of(FA + "-1"), listed());
    }
    String index = HdfsResultStore.dir(OWNER, FA) + "/" + Segment.DIR + "/container_1_0001_01_000002"
        + Segment.INDEX_SUFFIX;
    byte[] lines = blobs.read(index).orElseThrow();
    byte[] torn = new byte[lines.length + 7];
    System.arraycopy(lines, 0, torn, 0, lines.length);
    System.arraycopy("{\"job\":".getBytes(StandardCharsets.UTF_8), 0, torn, lines.length, 7);
    blobs.write(index, torn);
    assertEquals(List.of(FA + "-1"), ResultStore.on(blobs).list(OWNER, FA, "").map(ResultStore.Entry::jobId)
        .toList(), "a crash in the middle of a line loses no entry before it");
  }

  @Test
  void aWriterRollsToANewSegmentAtItsSize() throws Exception {
    try (Segmented<ResultStore> small = ResultStore.writer(blobs, OWNER, FA, "container_1_0001_01_000004", 10,
        3_600_000, 64, 0)) {
      String a = put(small.store(), FA + "-1", "\"0123456789\"");
      String b = put(small.store(), FA + "-2", "\"abc\"");
      small.flush();
      assertTrue(a.startsWith("s/container_1_0001_01_000004/"), a);
      assertTrue(b.startsWith("s/container_1_0001_01_000004.1/0/"), b);
      assertEquals("\"abc\"", read(FA + "-2", b));
    }
  }

  @Test
  void logsGoToTheExecutorsSegmentAndReplaceTheirLiveCopy() throws Exception {
    try (Segmented<LogStore> logs = LogStore.writer(blobs, OWNER, FA, "container_1_0001_01_000002", 1 << 20,
        3_600_000)) {
      LogStore store = logs.store();
      String live = store.livePath(OWNER, FA + "-1", 1);
      blobs.write(live, "partial\n".getBytes(StandardCharsets.UTF_8));
      String first = store.put(OWNER, FA + "-1", 1, Files.writeString(tempDir.resolve("l1"), "one\n"), true);
      String second = store.put(OWNER, FA + "-2", 1, Files.writeString(tempDir.resolve("l2"), "two\n"), false);
      logs.flush();
      assertFalse(blobs.exists(live), "the live copy is replaced by the segment's entry");
      LogStore reader = LogStore.on(blobs);
      assertEquals("one\n", new String(reader.get(OWNER, FA + "-1", 1, first).orElseThrow(), StandardCharsets.UTF_8));
      assertEquals("two\n", new String(reader.get(OWNER, FA + "-2", 1, second).orElseThrow(), StandardCharsets.UTF_8));
      reader.deleteFunction(OWNER, FA);
      assertTrue(reader.get(OWNER, FA + "-2", 1, second).isEmpty(), "logs go with their function");
    }
  }

  @Test
  void aMalformedLocationIsRefused() {
    for (String bad : List.of("s/", "s/a/b/c", "s/seg/0/-1", "s/seg/0/3/AAAAAA", "s/.x/0/1", "s/seg/1/2/3/4")) {
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> Segment.Location.parse(bad), bad);
    }
    Segment.Location at = Segment.Location.parse("s/seg.1/7/3/YWJj").orElseThrow();
    assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), at.inline());
    assertEquals("s/seg.1/7/3/YWJj", at.toString());
  }
}
