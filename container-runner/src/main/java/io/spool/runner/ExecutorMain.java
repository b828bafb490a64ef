package io.spool.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.blob.BlobMetadata;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Messages;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.JobId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's main loop: connect to the master, start the Python worker, then pull jobs one at a time, run each,
 * store its log and result on the file system and report the outcome, until the master says stop. A running job's
 * log is copied to the file system as it grows; its final log and its result, with the result's metadata, are
 * stored before the outcome is reported.
 */
public final class ExecutorMain {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorMain.class);

  /** The file, localized beside the runner, that carries the client's configuration. */
  public static final String JOB_CONF = "spool-job.xml";
  /** HDFS client: milliseconds before retrying to complete a file whose last block is not yet acknowledged. */
  static final String HDFS_COMPLETE_FILE_DELAY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
  /** HDFS client: how often it retries that (each wait twice the one before). */
  static final String HDFS_COMPLETE_FILE_RETRIES = "dfs.client.block.write.locateFollowingBlock.retries";
  /** The directory name of the localized bundle. */
  public static final String BUNDLE_DIR = "bundle";
  /** How often a running job's processes are sampled (its statistics, its memory limit). */
  private static final Duration SAMPLE_PERIOD = Duration.ofMillis(100);

  private final MasterChannel master;
  private final Stores stores;
  private final LiveLog liveLog;
  private final Path workDir;
  private final String owner;
  private final JobExecution execution;

  private ExecutorMain(MasterChannel master, Stores stores, LiveLog liveLog, Path workDir, String owner,
      JobExecution execution) {
    this.master = master;
    this.stores = stores;
    this.liveLog = liveLog;
    this.workDir = workDir;
    this.owner = owner;
    this.execution = execution;
  }

  /**
   * The client's configuration as localized beside the runner. A job closes one or two small files, and HDFS's
   * client otherwise waits 400 ms before its first retry to complete a file whose last block the DataNode has not
   * yet reported, which happens to about a third of them (it would be most of a short job's round trip). Unless
   * configured, the first retry comes after 2 ms, and there are 13 of them instead of 5: the waits double, so a file
   * may take 16 s to be reported, more than the default's 12 s.
   */
  static Configuration jobConfiguration(Path workDir) {
    Configuration conf = new Configuration();
    conf.addResource(new org.apache.hadoop.fs.Path(workDir.resolve(JOB_CONF).toUri()));
    if (!configured(conf, HDFS_COMPLETE_FILE_DELAY) && !configured(conf, HDFS_COMPLETE_FILE_RETRIES)) {
      conf.setInt(HDFS_COMPLETE_FILE_DELAY, 2);
      conf.setInt(HDFS_COMPLETE_FILE_RETRIES, 13);
    }
    followSecurity(conf);
    return conf;
  }

  /**
   * Makes Hadoop's security follow the job configuration (Kerberos, where the client's cluster has it): the
   * container's classpath need not hold the cluster's core-site.xml, and the job configuration is not one of
   * Hadoop's default resources. Call before anything asks for the current user.
   */
  public static void followSecurity(Configuration conf) {
    UserGroupInformation.setConfiguration(conf);
  }

  /** Whether {@code key} is set anywhere but in Hadoop's defaults. */
  private static boolean configured(Configuration conf, String key) {
    String[] sources = conf.getPropertySources(key);
    return sources != null && !Arrays.stream(sources).allMatch(source -> source.endsWith("-default.xml"));
  }

  /** {@code ExecutorMain <master-host> <master-port>}; the container id comes from YARN's environment. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ExecutorMain <master-host> <master-port>");
    }
    String container = System.getenv().getOrDefault("CONTAINER_ID", "unknown-container");
    Path workDir = Paths.get("").toAbsolutePath();
    Configuration conf = jobConfiguration(workDir);
    byte[] secret = ChannelSecret.from(UserGroupInformation.getCurrentUser().getCredentials());
    BlobStore blobs = BlobStore.open(conf);
    Stores stores = Stores.of(blobs, conf, container);
    try (MasterChannel master = MasterChannel.connect(args[0], Integer.parseInt(args[1]), container, secret);
         LiveLog liveLog = LiveLog.of(blobs, conf)) {
      ObjectNode welcome = master.welcome();
      Path script = PythonWorker.extract(workDir.resolve("spool-worker"));
      try (JobExecution execution = JobExecution.start(welcome.get("python").asText(), script,
          workDir.resolve(BUNDLE_DIR), welcome.get("callable").asText(), SAMPLE_PERIOD,
          JobExecution.Limits.of(conf))) {
        serve(master, execution, stores, liveLog, workDir,
            conf.getInt(SpoolConfig.EXECUTOR_PREFETCH_MAX, SpoolConfig.EXECUTOR_PREFETCH_MAX_DEFAULT));
      }
    }
    LOG.info("executor {} stopped", container);
  }

  /**
   * Runs the master's jobs in {@code execution} until the master says stop, copying running jobs' logs through
   * {@code liveLog} and holding up to {@code maxAhead} jobs beyond the running one ({@link HeldJobs}); a cancel from
   * the master kills the job it names, or drops it if it waits, and the loss of the master kills the running job
   * (then this throws).
   */
  static void serve(MasterChannel master, JobExecution execution, Stores stores, LiveLog liveLog, Path workDir,
      int maxAhead) throws IOException, InterruptedException {
    ExecutorMain executor = new ExecutorMain(master, stores, liveLog, workDir, master.welcome().get("owner").asText(),
        execution);
    stores.owner(master.welcome().get("owner").asText());
    HeldJobs held = new HeldJobs(maxAhead);
    try (stores; OutcomeReporter reporter = new OutcomeReporter(master, stores, failure -> {
      execution.abort("its outcomes cannot be stored or reported: " + failure.getMessage());
      held.end(new HeldJobs.End(failure.getMessage(), failure));
    }, held::busy)) {
      master.listen(new MasterChannel.Listener() {
        @Override
        public void jobs(List<JsonNode> jobs) {
          held.add(jobs.stream().map(ExecutorMain::job).toList());
        }

        @Override
        public void cancel(String jobId) {
          if (held.drop(jobId)) {
            reporter.report(done(new JobExecution.Job(jobId, 0, null, null, Map.of(), 0, 0),
                new JobOutcome("CANCELED", null, "canceled", 0, null, null), Stored.NOTHING));
          } else {
            execution.cancel(jobId);
          }
        }

        @Override
        public void stop(String reason) {
          held.end(new HeldJobs.End(reason, null));
        }

        @Override
        public void lost(IOException cause) {
          execution.abort(cause.getMessage());
          held.end(new HeldJobs.End(cause.getMessage(), cause));
        }
      });
      executor.run(held, reporter);
    }
    HeldJobs.End end = held.ending();
    if (end.lost() != null) {
      throw end.lost();
    }
    LOG.info("master says stop: {}", end.reason());
  }

  private void run(HeldJobs held, OutcomeReporter reporter) throws IOException, InterruptedException {
    ask(held);
    for (Optional<JobExecution.Job> next = held.take(); next.isPresent(); next = held.take()) {
      ask(held);
      long start = System.nanoTime();
      ObjectNode done = runJob(next.get());
      held.finished((System.nanoTime() - start) / 1_000_000);
      reporter.report(done);
      ask(held);
    }
  }

  /** Asks the master for the jobs this executor should hold now, if any. */
  private void ask(HeldJobs held) {
    int count = held.ask();
    if (count > 0) {
      try {
        master.send(Messages.of(Messages.WANT).put("count", count));
      } catch (IOException e) {
        LOG.warn("cannot ask the master for jobs: {}", e.toString()); // the reader hears of the end and says so
      }
    }
  }

  private ObjectNode runJob(JobExecution.Job job) throws IOException, InterruptedException {
    Path scratch = workDir.resolve("jobs").resolve(job.id() + "-" + job.attempt());
    Files.createDirectories(scratch);
    Path log = scratch.resolve("log");
    Path result = scratch.resolve("result");
    JobOutcome outcome;
    Stored stored;
    try {
      LiveLog.Following live = liveLog.follow(log, stores.logs(job.id()).livePath(owner, job.id(), job.attempt()));
      try {
        outcome = execution.run(job, log, result, scratch.resolve("tmp"));
      } finally {
        live.stop();
      }
      stored = storeBlobs(job.id(), job.attempt(), log, result, outcome, live.copied());
    } finally {
      deleteTree(scratch);
    }
    return done(job, outcome, stored);
  }

  /** Where an attempt's result and final log went: the stores' locations, null for none. */
  record Stored(String result, String log) {
    static final Stored NOTHING = new Stored(null, null);
  }

  /**
   * A job of a {@code jobs} message: {@code timeout} in seconds and {@code memory} in MiB, each 0 for no limit; its
   * {@code process} ({@code fresh} unless it says {@code reused}), {@code maxJobsPerProcess} and
   * {@code processMemoryBytes}.
   */
  static JobExecution.Job job(JsonNode message) {
    JobExecution.Process process = new JobExecution.Process(message.path("process").asText("fresh"),
        message.path("maxJobsPerProcess").asInt(0), message.path("processMemoryBytes").asLong(0));
    return new JobExecution.Job(message.get("job").asText(), message.get("attempt").asInt(), message.get("args"),
        message.get("kwargs"), environment(message.get("environment")), message.path("timeout").asLong(0),
        message.path("memory").asLong(0), process);
  }

  /**
   * The outcome of a job as a {@code done} message lists it, with where its result and log were stored;
   * {@code statistics} only if the job started.
   */
  static ObjectNode done(JobExecution.Job job, JobOutcome outcome, Stored stored) {
    ObjectNode done = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    done.put("job", job.id());
    done.put("attempt", job.attempt());
    done.put("status", outcome.status());
    if (outcome.exitCode() != null) {
      done.put("exitCode", outcome.exitCode());
    }
    if (outcome.errorReason() != null) {
      done.put("errorReason", outcome.errorReason());
    }
    done.put("runtime", outcome.runtimeSeconds());
    if (outcome.resultKind() != null) {
      done.put("resultKind", outcome.resultKind());
    }
    if (stored.result() != null) {
      done.put("result", stored.result());
    }
    if (stored.log() != null) {
      done.put("log", stored.log());
    }
    ProcessTreeMonitor.Statistics statistics = outcome.statistics();
    if (statistics != null) {
      done.putObject("statistics")
          .put("cpuSeconds", statistics.cpuSeconds())
          .put("cpuPercent", statistics.cpuPercent())
          .put("peakMemoryBytes", statistics.peakMemoryBytes())
          .put("averageMemoryBytes", statistics.averageMemoryBytes());
    }
    return done;
  }

  /**
   * The attempt's final log, ending with the reason when it failed, and its result with the result's metadata. A job
   * that printed nothing and ended by itself stores no log (readers see an empty one): a file less per job.
   */
  private Stored storeBlobs(String jobId, int attempt, Path log, Path result, JobOutcome outcome,
      boolean liveCopied) throws IOException {
    if (outcome.errorReason() != null) {
      LogLines.append(log, "[spool] " + outcome.errorReason());
    }
    String logLocation = null;
    if (Files.exists(log) && Files.size(log) > 0) {
      logLocation = stores.logs(jobId).put(owner, jobId, attempt, log, liveCopied);
    }
    String resultLocation = null;
    if (outcome.resultKind() != null && Files.exists(result)) {
      resultLocation = stores.results(jobId).put(owner, jobId, result,
          resultMetadata(jobId, outcome.resultKind(), result, Instant.now()), attempt == 1);
    }
    return new Stored(resultLocation, logLocation);
  }

  /**
   * The metadata of a job's result file: where it came from, its kind and size, and what the worker wrote beside it
   * in {@code <result>.meta} (a {@code ComputeResult}'s description, expiry, extra properties, geometry and tags,
   * and the type whose {@code serialize()} made the bytes), if it wrote that.
   */
  static BlobMetadata resultMetadata(String jobId, String kind, Path result, Instant createdAt) throws IOException {
    BlobMetadata metadata = new BlobMetadata().functionId(JobId.functionId(jobId)).jobId(jobId).kind(kind)
        .size(Files.size(result)).creationDate(createdAt);
    Path side = result.resolveSibling(result.getFileName() + BlobStore.METADATA_FILE_SUFFIX);
    if (!Files.exists(side)) {
      return metadata;
    }
    JsonNode meta = Json.values().readTree(Files.readAllBytes(side));
    if (meta.path("description").isTextual()) {
      metadata.description(meta.get("description").asText());
    }
    if (meta.path("expires").isIntegralNumber()) {
      metadata.expires(Instant.ofEpochMilli(meta.get("expires").asLong()));
    }
    if (meta.path("extraProperties").isObject()) {
      Map<String, Object> properties = new LinkedHashMap<>();
      meta.get("extraProperties").fields().forEachRemaining(e -> properties.put(e.getKey(),
          e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
      metadata.extraProperties(properties);
    }
    if (meta.has("geometry")) {
      metadata.geometry(meta.get("geometry"));
    }
    if (meta.path("tags").isArray()) {
      List<String> tags = new ArrayList<>();
      meta.get("tags").forEach(tag -> tags.add(tag.asText()));
      metadata.tags(tags);
    }
    if (meta.path("serializer").isTextual()) {
      metadata.serializer(meta.get("serializer").asText());
    }
    return metadata;
  }

  private static Map<String, String> environment(JsonNode node) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    if (node != null) {
      node.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    return env;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
