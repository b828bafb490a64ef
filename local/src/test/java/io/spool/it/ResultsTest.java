package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.Blob;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import io.spool.core.state.NotFoundException;
import io.spool.local.SpoolClusterExtension;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What jobs return, stored as blobs with their metadata, read back in every form. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ResultsTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int MAX_RESULT = 64 * 1024;

  private Spool spool;
  private String resultsPy;

  @BeforeAll
  void connect(Configuration clusterConf) throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    conf.setLong(SpoolConfig.RESULT_MAX_BYTES, MAX_RESULT);
    spool = Spool.connect(conf);
    resultsPy = TestSetup.python("results.py");
  }

  @AfterAll
  void close() {
    spool.close();
  }

  private Function save(String name) {
    return Function.builder(spool, resultsPy + ":" + name).memory(256).maximumConcurrency(2).build().save();
  }

  private static Job succeeded(Job job) throws Exception {
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), () -> job.errorReason() + "\n" + job.log());
    return job;
  }

  private static String failed(Job job) throws Exception {
    assertEquals(JobStatus.FAILURE, job.waitForCompletion(WAIT), job::log);
    return job.errorReason();
  }

  @Test
  void jsonResultsRoundTripAsValuesAndAsJavaTypes() throws Exception {
    Job dict = succeeded(save("as_dict").call(7));
    assertEquals(Map.of("i", 7, "name", "tile-7", "nested", Map.of("ok", true, "values", List.of(1, 2, 3))),
        dict.result());
    Tile tile = dict.result(Tile.class);
    assertEquals(7, tile.i);
    assertEquals("tile-7", tile.name);
    assertEquals("json", dict.resultBlob().orElseThrow().kind());

    Job floats = succeeded(save("floats").call(5));
    assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), floats.result());
    double[] typed = floats.result(double[].class);
    assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1.0}, typed);
  }

  @Test
  void theClientReadsResultsAfterTheApplicationClosesHadoopsSharedFileSystem() throws Exception {
    Job before = succeeded(save("floats").call(2));
    FileSystem.get(spool.configuration()).close(); // what an application (or a library in it) may do at any time
    assertEquals(List.of(0.0, 0.25), before.result());
    Job after = succeeded(save("floats").call(3));
    assertEquals(List.of(0.0, 0.25, 0.5), after.result());
  }

  /** A Java type shaped like the JSON of {@code as_dict}. */
  public static final class Tile {
    public int i;
    public String name;
    public Map<String, Object> nested;
  }

  @Test
  void bytesAreStoredAsTheyAre() throws Exception {
    Job job = succeeded(save("raw").call(200));
    byte[] expected = new byte[200];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (byte) i;
    }
    assertArrayEquals(expected, (byte[]) job.result());
    assertArrayEquals(expected, job.result(byte[].class));
    assertArrayEquals(expected, job.resultBytes());
    Blob blob = job.resultBlob().orElseThrow();
    assertEquals("bytes", blob.kind());
    assertEquals(200, blob.size());
    assertTrue(blob.serializer().isEmpty());
  }

  @Test
  void aSerializeResultComesBackAsTheSameBytesAndThroughADeserializer() throws Exception {
    Function npy = save("npy");
    Job array = succeeded(npy.call(6));
    Job reference = succeeded(save("npy_bytes").call(6));
    List<?> expectedInts = (List<?>) reference.result();
    byte[] expected = new byte[expectedInts.size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = ((Number) expectedInts.get(i)).byteValue();
    }
    assertArrayEquals(expected, array.resultBytes(), "the .npy bytes serialize() made, unchanged");
    Blob blob = array.resultBlob().orElseThrow();
    assertEquals("results.NpyArray", blob.serializer().orElseThrow());

    assertThrows(IllegalArgumentException.class, () -> array.result(double[].class),
        "a binary result needs a deserializer to become a Java type");
    spool.registerDeserializer(double[].class, NpyDoubles::parse);
    assertArrayEquals(new double[] {0, 1.5, 3, 4.5, 6, 7.5}, array.result(double[].class));
    assertArrayEquals(new double[] {0, 1.5, 3, 4.5, 6, 7.5}, array.result(NpyDoubles.class).values);
  }

  /** A reader of 1-d little-endian float64 .npy files, found by its static deserialize(byte[]). */
  public static final class NpyDoubles {
    final double[] values;

    NpyDoubles(double[] values) {
      this.values = values;
    }

    public static NpyDoubles deserialize(byte[] data) {
      return new NpyDoubles(parse(data));
    }

    static double[] parse(byte[] npy) {
      ByteBuffer b = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
      int headerLength = b.getShort(8) & 0xffff;
      String header = new String(npy, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
      if (!header.contains("'<f8'")) {
        throw new IllegalArgumentException("not float64: " + header);
      }
      int start = 10 + headerLength;
      double[] values = new double[(npy.length - start) / 8];
      for (int i = 0; i < values.length; i++) {
        values[i] = b.getDouble(start + i * 8);
      }
      return values;
    }
  }

  @Test
  void aComputeResultStoresItsMetadataOnTheBlob() throws Exception {
    Function annotated = save("annotated");
    Job job = succeeded(annotated.call(3));
    assertEquals(Map.of("count", 3), job.result());
    Blob blob = job.resultBlob().orElseThrow();
    assertEquals("tile 3 of the test", blob.description().orElseThrow());
    assertEquals(List.of("tile", "row-1"), blob.tags());
    assertEquals(Map.of("row", 1, "label", "t", "score", 0.5), blob.extraProperties());
    JsonNode geometry = blob.geometry().orElseThrow();
    assertEquals("Point", geometry.get("type").asText());
    assertEquals(-3, geometry.get("coordinates").get(1).asInt());
    assertEquals(Instant.parse("2031-01-02T03:04:05Z"), blob.expires().orElseThrow());
    assertEquals(annotated.id() + "/" + job.id(), blob.name());
    assertEquals("users/" + spool.user(), blob.namespace());

    Job wkt = succeeded(save("annotated_wkt").call(9));
    Blob wktBlob = wkt.resultBlob().orElseThrow();
    assertEquals("POINT (9 1)", wktBlob.geometry().orElseThrow().asText());
    assertArrayEquals(new byte[] {0, 1}, wktBlob.data());
  }

  @Test
  void aDescriptionTooLargeForAnAttributeIsKeptWithItsResult() throws Exception {
    Function f = save("long_description");
    Job job = succeeded(f.call(70_000));
    Blob blob = job.resultBlob().orElseThrow();
    assertEquals(70_000, blob.description().orElseThrow().length());
    assertEquals(70_000, Blob.get(spool, f.id() + "/" + job.id()).description().orElseThrow().length(),
        "found without the job's record");
    assertEquals(List.of(job.id()), Blob.search(spool).functionId(f.id()).list().stream().map(Blob::jobId).toList(),
        "the metadata is not listed as a blob of its own");
  }

  @Test
  void valuesThatCannotBeStoredFailTheJobWithTheReason() throws Exception {
    String opaque = failed(save("opaque").call());
    assertTrue(opaque.contains("results.Opaque") && opaque.contains("cannot be stored"), opaque);
    String text = failed(save("serialize_str").call());
    assertTrue(text.contains("serialize()") && text.contains("str") && text.contains("not bytes"), text);
    String tooBig = failed(save("big").call(MAX_RESULT + 1));
    assertTrue(tooBig.contains(String.valueOf(MAX_RESULT + 1)) && tooBig.contains(String.valueOf(MAX_RESULT))
        && tooBig.contains(SpoolConfig.RESULT_MAX_BYTES), tooBig);
    Job fits = succeeded(save("big").call(MAX_RESULT));
    assertEquals(MAX_RESULT, fits.resultBytes().length);
    String description = failed(save("long_description").call(80_001));
    assertTrue(description.contains("description") && description.contains("80000"), description);
  }

  @Test
  void readingTheResultOfAJobThatDidNotSucceedSaysItsStatus() throws Exception {
    Job job = save("opaque").call();
    failed(job);
    IllegalStateException e = assertThrows(IllegalStateException.class, job::result);
    assertTrue(e.getMessage().contains("FAILURE"), e.getMessage());
    assertThrows(IllegalStateException.class, job::resultBlob);
  }

  @Test
  void resultsOutliveTheirFunctionButLogsGoWithIt() throws Exception {
    Function f = save("as_dict");
    Job job = succeeded(f.call(1));
    String owner = f.owner();
    BlobStore blobs = BlobStore.open(spool.configuration());
    String logs = "users/" + owner + "/logs/" + f.id();
    assertTrue(job.log().contains("tile 1"), job.log());
    assertTrue(blobs.exists(logs));
    f.delete(false);
    assertThrows(NotFoundException.class, job::refresh);
    assertFalse(blobs.exists(logs), "logs are deleted with their function");
    Blob blob = Blob.get(spool, f.id() + "/" + job.id());
    assertEquals(Map.of("i", 1, "name", "tile-1", "nested", Map.of("ok", true, "values", List.of(1, 2, 3))),
        blob.value());
    List<Blob> found = Blob.search(spool).namePrefix(f.id() + "/").list();
    assertEquals(List.of(blob.name()), found.stream().map(Blob::name).toList());
    assertTrue(blob.delete());
    assertThrows(NotFoundException.class, () -> Blob.get(spool, f.id() + "/" + job.id()));
  }

  @Test
  void blobsAreSearchedByFunctionTagsAndPrefixAndDeleted() throws Exception {
    Function annotated = save("annotated");
    List<Job> jobs = annotated.map(List.of(List.of(0), List.of(1), List.of(2), List.of(3)));
    for (Job j : jobs) {
      succeeded(j);
    }
    assertEquals(4, Blob.search(spool).functionId(annotated.id()).count());
    List<Blob> odd = Blob.search(spool).functionId(annotated.id()).tags("row-1").list();
    assertEquals(List.of(jobs.get(1).id(), jobs.get(3).id()), odd.stream().map(Blob::jobId).toList());
    assertEquals(1, Blob.search(spool).namePrefix(annotated.id() + "/" + jobs.get(2).id()).count());
    List<Blob> bySize = Blob.search(spool).functionId(annotated.id())
        .sortBy(io.spool.client.BlobSearch.Sort.CREATION_DATE, false).page(0, 2);
    assertEquals(2, bySize.size());
    assertEquals(2, Blob.search(spool).functionId(annotated.id()).tags("row-0").delete());
    assertEquals(2, Blob.search(spool).functionId(annotated.id()).count());
    IllegalStateException gone = assertThrows(IllegalStateException.class, () -> jobs.get(0).result());
    assertTrue(gone.getMessage().contains("missing"), gone.getMessage());
    assertNull(succeeded(save("as_dict").call(2)).resultBlob().orElseThrow().description().orElse(null));
  }
}
