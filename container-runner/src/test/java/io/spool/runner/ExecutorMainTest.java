package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.blob.BlobMetadata;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import io.spool.core.json.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The executor's side of the master's messages: a job in, its outcome out. */
@Timeout(120)
class ExecutorMainTest {

  private static final String CONTAINER = "container_1_0001_01_000002";
  private static final String OWNER = "alice";

  @TempDir
  Path dir;
  private final ExecutorService background = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopExecutor() {
    background.shutdownNow();
  }

  private static ObjectNode job(String id, long memoryMiB, Object... call) {
    ObjectNode job = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("job", id)
        .put("attempt", 1);
    job.set("args", TestJobs.call(call));
    job.putObject("kwargs");
    job.putObject("environment");
    return job.put("timeout", 0).put("memory", memoryMiB);
  }

  /** The master's side of one executor, step by step. */
  private record Master(DataInputStream in, DataOutputStream out) {
    void send(ObjectNode message) throws IOException {
      Frames.write(out, message);
    }

    /** Hands the executor one job. */
    void run(ObjectNode job) throws IOException {
      ObjectNode jobs = Messages.of(Messages.JOBS);
      jobs.putArray("jobs").add(job);
      send(jobs);
    }

    /** The outcome of the job, the one outcome of the next done message; the executor's asks for jobs are skipped. */
    ObjectNode done(String jobId) throws IOException {
      ObjectNode done = Frames.read(in);
      while (Messages.WANT.equals(Messages.type(done))) {
        done = Frames.read(in);
      }
      assertEquals(Messages.DONE, Messages.type(done), done.toString());
      assertEquals(1, done.path("outcomes").size(), done.toString());
      ObjectNode outcome = (ObjectNode) done.path("outcomes").get(0);
      assertEquals(jobId, outcome.path("job").asText(), done.toString());
      return outcome;
    }
  }

  @Test
  void anExecutorRunsTheMastersJobsObeysItsCancelsAndKillsItsJobWhenTheMasterGoes() throws Exception {
    byte[] secret = ChannelSecret.generate();
    // the raw local file system: the checksummed one keeps what is written until close, not until hflush
    BlobStore blobs = new BlobStore(FileSystem.getLocal(new Configuration()).getRaw(),
        new org.apache.hadoop.fs.Path(dir.resolve("store").toUri()));
    ResultStore results = ResultStore.on(blobs);
    LogStore logs = LogStore.on(blobs);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> executor = background.submit(() -> {
        try (MasterChannel channel = MasterChannel.connect(server.getInetAddress().getHostAddress(),
            server.getLocalPort(), CONTAINER, secret);
            JobExecution execution = TestJobs.startWorker(dir);
            LiveLog liveLog = new LiveLog(blobs, 100)) {
          ExecutorMain.serve(channel, execution, new Stores(blobs, CONTAINER, 1 << 20, 3_600_000, 1 << 20, 128),
              liveLog, Files.createDirectories(dir.resolve("work")), 0);
        }
        return null;
      });
      int lastJob;
      try (Socket socket = server.accept()) {
        socket.setSoTimeout(30_000);
        Master master = new Master(new DataInputStream(new BufferedInputStream(socket.getInputStream())),
            new DataOutputStream(new BufferedOutputStream(socket.getOutputStream())));
        String nonce = ChannelSecret.nonce();
        master.send(Messages.of(Messages.CHALLENGE).put("nonce", nonce));
        ObjectNode hello = Frames.read(master.in());
        assertTrue(ChannelSecret.verify(secret, nonce, CONTAINER, hello.path("mac").asText()));
        master.send(Messages.of(Messages.WELCOME).put("owner", OWNER));
        assertEquals(Messages.WANT, Messages.type(Frames.read(master.in())));

        master.run(job("abcdefghij-1", 100, "echo", "hello"));
        ObjectNode done = master.done("abcdefghij-1");
        assertEquals("SUCCESS", done.path("status").asText(), done.toString());
        assertEquals(List.of("cpuSeconds", "cpuPercent", "peakMemoryBytes", "averageMemoryBytes"),
            fieldNames(done.path("statistics")), done.toString());
        assertEquals("\"hello\"", new String(results.get(OWNER, "abcdefghij-1", done.path("result").asText())
            .orElseThrow(), StandardCharsets.UTF_8).trim());
        BlobMetadata plain = results.metadata(OWNER, "abcdefghij-1", done.path("result").asText()).orElseThrow();
        assertEquals(List.of("abcdefghij", "abcdefghij-1", "json", 7L), List.of(plain.functionId(), plain.jobId(),
            plain.kind(), plain.size()));
        assertTrue(plain.creationDate() != null && plain.description() == null && plain.tags().isEmpty());
        assertFalse(done.has("log"), "a job that printed nothing stores no log: " + done);
        assertTrue(logs.get(OWNER, "abcdefghij-1", 1, null).isEmpty(), "a job that printed nothing has no log");

        Path pidFile = dir.resolve("job-2.pid");
        String runningLog = logs.livePath(OWNER, "abcdefghij-2", 1);
        master.run(job("abcdefghij-2", 0, "sleep", 60, pidFile));
        TestJobs.awaitFile(pidFile);
        TestJobs.await("the running job's log on the file system", () -> blobs.read(runningLog)
            .map(log -> LogLines.strip(new String(log, StandardCharsets.UTF_8)).equals("sleeping 60 s\n"))
            .orElse(false));
        master.send(Messages.of(Messages.CANCEL).put("job", "abcdefghij-2"));
        done = master.done("abcdefghij-2");
        assertEquals("CANCELED", done.path("status").asText(), done.toString());
        assertEquals("canceled", done.path("errorReason").asText());
        assertTrue(done.path("statistics").path("peakMemoryBytes").asLong() > 0, done.toString());
        String[] canceledLog = new String(logs.get(OWNER, "abcdefghij-2", 1, done.path("log").asText()).orElseThrow(),
            StandardCharsets.UTF_8).split("\n");
        assertEquals(2, canceledLog.length, String.join("\n", canceledLog));
        assertTrue(canceledLog[1].matches(TIMESTAMPED + "\\[spool] canceled"), canceledLog[1]);

        master.run(job("abcdefghij-5", 0, "annotated", 5));
        assertEquals("SUCCESS", master.done("abcdefghij-5").path("status").asText());
        BlobMetadata annotated = results.metadata(OWNER, "abcdefghij-5", null).orElseThrow();
        assertEquals("tile 5", annotated.description());
        assertEquals(List.of("tile"), annotated.tags());
        assertEquals(Map.of("row", 5, "label", "t"), annotated.extraProperties());
        assertEquals("{\"type\":\"Point\",\"coordinates\":[5,1]}", annotated.geometry().toString());
        assertEquals(Instant.parse("2031-01-02T03:04:05Z"), annotated.expires());
        assertEquals("abcdefghij", annotated.functionId());

        master.run(job("abcdefghij-3", 100, "allocate", 300, 30));
        done = master.done("abcdefghij-3");
        assertEquals("FAILURE", done.path("status").asText(), done.toString());
        assertTrue(done.path("errorReason").asText().endsWith(" MiB, more than its 100 MiB (the function's memory; "
            + "raise it with update().memory(...))"), done.toString());
        assertTrue(done.path("statistics").path("peakMemoryBytes").asLong() > 100L << 20, done.toString());
        String failedLog = new String(logs.get(OWNER, "abcdefghij-3", 1, done.path("log").asText()).orElseThrow(),
            StandardCharsets.UTF_8);
        assertTrue(failedLog.contains("[spool] memory limit exceeded"), "a failure stores its reason: " + failedLog);

        pidFile = dir.resolve("job-4.pid");
        master.run(job("abcdefghij-4", 0, "sleep", 60, pidFile));
        lastJob = Integer.parseInt(TestJobs.awaitFile(pidFile));
      } // the master goes
      ExecutionException lost = assertThrows(ExecutionException.class, () -> executor.get(30, TimeUnit.SECONDS));
      assertTrue(lost.getCause() instanceof IOException, String.valueOf(lost.getCause()));
      assertTrue(TestJobs.gone(lastJob), "the running job was killed when the master went");
    }
  }

  @Test
  void filesCloseWithAShortFirstRetryUnlessTheClientsConfigurationSaysOtherwise() throws Exception {
    Files.writeString(dir.resolve(ExecutorMain.JOB_CONF), "<configuration/>");
    Configuration defaults = ExecutorMain.jobConfiguration(dir);
    assertEquals(2, defaults.getInt(ExecutorMain.HDFS_COMPLETE_FILE_DELAY, -1));
    assertEquals(13, defaults.getInt(ExecutorMain.HDFS_COMPLETE_FILE_RETRIES, -1));

    Files.writeString(dir.resolve(ExecutorMain.JOB_CONF), "<configuration><property><name>"
        + ExecutorMain.HDFS_COMPLETE_FILE_DELAY + "</name><value>50</value></property></configuration>");
    Configuration configured = ExecutorMain.jobConfiguration(dir);
    assertEquals(50, configured.getInt(ExecutorMain.HDFS_COMPLETE_FILE_DELAY, -1));
    assertEquals(new Configuration().getInt(ExecutorMain.HDFS_COMPLETE_FILE_RETRIES, -1),
        configured.getInt(ExecutorMain.HDFS_COMPLETE_FILE_RETRIES, -1), "the cluster's own retries stand");
  }

  /** A log line's timestamp and the space after it, as a regular expression. */
  private static final String TIMESTAMPED = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ";

  @Test
  void resultMetadataJoinsTheJobToWhatTheWorkerWroteBesideTheResult() throws Exception {
    Path result = Files.writeString(dir.resolve("result"), "{\"count\":3}");
    Files.writeString(dir.resolve("result.meta"), "{\"description\":\"tile 3\",\"expires\":1925089445000,"
        + "\"extraProperties\":{\"row\":1,\"label\":\"t\",\"score\":0.5},\"geometry\":\"POINT (3 1)\","
        + "\"tags\":[\"tile\",\"row-1\"],\"serializer\":\"results.NpyArray\"}");
    Instant created = Instant.parse("2026-11-24T07:05:01.123Z");
    BlobMetadata metadata = ExecutorMain.resultMetadata("abcdefghij-7", "bytes", result, created);
    assertMetadata(metadata, created);

    BlobStore blobs = new BlobStore(FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("store").toUri()));
    String blob = "users/" + OWNER + "/results/abcdefghij/abcdefghij-7";
    blobs.writeResult(blob, result, metadata);
    assertEquals("{\"count\":3}", new String(blobs.read(blob).orElseThrow(), StandardCharsets.UTF_8));
    assertTrue(blobs.exists(blob + BlobStore.METADATA_FILE_SUFFIX), "no extended attributes: a side file");
    assertMetadata(blobs.resultMetadata(blob).orElseThrow(), created);
  }

  private static void assertMetadata(BlobMetadata metadata, Instant created) {
    assertEquals("abcdefghij", metadata.functionId());
    assertEquals("abcdefghij-7", metadata.jobId());
    assertEquals("bytes", metadata.kind());
    assertEquals(11, metadata.size());
    assertEquals(created, metadata.creationDate());
    assertEquals("tile 3", metadata.description());
    assertEquals(Instant.parse("2031-01-02T03:04:05Z"), metadata.expires());
    assertEquals(Map.of("row", 1, "label", "t", "score", 0.5), metadata.extraProperties());
    assertEquals("POINT (3 1)", metadata.geometry().asText());
    assertEquals(List.of("tile", "row-1"), metadata.tags());
    assertEquals("results.NpyArray", metadata.serializer());
  }

  @Test
  void resultMetadataWithoutAMetaFileSaysWhereTheResultCameFrom() throws Exception {
    Path result = Files.write(dir.resolve("result"), new byte[] {0, 1, 2});
    Instant created = Instant.now();
    BlobMetadata metadata = ExecutorMain.resultMetadata("abcdefghij-8", "bytes", result, created);
    assertEquals(List.of("abcdefghij", "abcdefghij-8", "bytes", 3L), List.of(metadata.functionId(),
        metadata.jobId(), metadata.kind(), metadata.size()));
    assertEquals(created.toEpochMilli(), metadata.creationDate().toEpochMilli());
    assertTrue(metadata.description() == null && metadata.serializer() == null && metadata.geometry() == null
        && metadata.expires() == null && metadata.tags().isEmpty() && metadata.extraProperties().isEmpty());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aJobMessageCarriesItsTimeoutAndMemoryLimits() throws Exception {
    ObjectNode message = (ObjectNode) Json.values().readTree("{\"type\":\"job\",\"job\":\"abcdefghij-3\",\"attempt\":2,"
        + "\"args\":[1],\"kwargs\":{},\"environment\":{\"A\":\"b\"},\"timeout\":30,\"memory\":512}");
    JobExecution.Job job = ExecutorMain.job(message);
    assertEquals("abcdefghij-3", job.id());
    assertEquals(2, job.attempt());
    assertEquals(Map.of("A", "b"), job.env());
    assertEquals(30, job.timeoutSeconds());
    assertEquals(512, job.memoryMiB());

    message.remove("memory");
    message.remove("timeout");
    JobExecution.Job unlimited = ExecutorMain.job(message);
    assertEquals(0, unlimited.memoryMiB(), "no memory: no limit");
    assertEquals(0, unlimited.timeoutSeconds(), "no timeout: no limit");
  }

  @Test
  void anOutcomeCarriesTheStatisticsOfAJobThatStartedAndWhereItsLogWent() throws Exception {
    JobExecution.Job job = new JobExecution.Job("abcdefghij-3", 2, null, null, Map.of(), 0, 512);
    JobOutcome outcome = new JobOutcome("FAILURE", -9, "memory limit exceeded: the job used 612 MiB, more than its "
        + "512 MiB (the function's memory; raise it with update().memory(...))", 1.5, null,
        new ProcessTreeMonitor.Statistics(0.75, 50.0, 641_728_512L, 320_864_256L, 1.5));
    ObjectNode done = ExecutorMain.done(job, outcome, new ExecutorMain.Stored(null, "f"));
    assertEquals("{\"job\":\"abcdefghij-3\",\"attempt\":2,"
        + "\"status\":\"FAILURE\",\"exitCode\":-9,\"errorReason\":\"memory limit exceeded: the job used 612 MiB, more "
        + "than its 512 MiB (the function's memory; raise it with update().memory(...))\",\"runtime\":1.5,"
        + "\"log\":\"f\",\"statistics\":{\"cpuSeconds\":0.75,\"cpuPercent\":50.0,\"peakMemoryBytes\":641728512,"
        + "\"averageMemoryBytes\":320864256}}", Json.values().writeValueAsString(done));
  }

  @Test
  void anOutcomeOfAJobThatNeverStartedHasNoStatistics() {
    JobExecution.Job job = new JobExecution.Job("abcdefghij-4", 1, null, null, Map.of(), 0, 0);
    ObjectNode done = ExecutorMain.done(job, new JobOutcome("CANCELED", null, "canceled", 0, null, null),
        ExecutorMain.Stored.NOTHING);
    assertEquals("CANCELED", done.get("status").asText());
    assertEquals("canceled", done.get("errorReason").asText());
    assertFalse(done.has("statistics"), done.toString());
    assertFalse(done.has("exitCode"), done.toString());
  }
}
