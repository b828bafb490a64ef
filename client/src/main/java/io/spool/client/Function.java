package io.spool.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.internal.Bundle;
import io.spool.client.internal.BundleSpec;
import io.spool.client.internal.Bundler;
import io.spool.client.internal.Entrypoint;
import io.spool.client.internal.MasterStarter;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.Images;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobProcess;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.model.Resources;
import io.spool.core.state.BuildFailedRefusalException;
import io.spool.core.state.Completion;
import io.spool.core.state.JobDeletion;
import io.spool.core.state.JobWrite;
import io.spool.core.state.NotFoundException;
import io.spool.core.state.Versioned;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Python function that Spool runs as jobs: an entrypoint, the image it runs in and the resources each job gets.
 * Build one with {@link #builder(Spool, String)}, {@link #save()} it (which ships its bundle and starts its
 * master), then submit jobs with {@link #call(Object...)} and {@link #map(List)}.
 */
public final class Function {

  private static final Logger LOG = LoggerFactory.getLogger(Function.class);
  private static final long FUNCTION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MASTER_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long BUILD_POLL_MILLIS = 250;
  /** Jobs read (in parallel) per round of a deletion. */
  private static final int DELETE_READ_CHUNK = 5_000;

  private final Spool spool;
  private FunctionRecord record;
  private final BundleSpec bundleSpec;

  private Function(Spool spool, FunctionRecord record, BundleSpec bundleSpec) {
    this.spool = spool;
    this.record = record;
    this.bundleSpec = bundleSpec;
  }

  /**
   * Starts a new function from an entrypoint: a Python file and a function name ({@code path/to/file.py:function};
   * the file is shipped whole as a module) or a qualified name ({@code pkg.module.function}) importable from the
   * included modules or the image.
   *
   * @throws IllegalArgumentException if the entrypoint is malformed or its file does not exist
   */
  public static Builder builder(Spool spool, String entrypoint) {
    return new Builder(spool, entrypoint, Entrypoint.parse(entrypoint));
  }

  /** The saved function with this id; {@link NotFoundException} if there is none. */
  public static Function get(Spool spool, String id) {
    return new Function(spool, spool.store().function(id)
        .orElseThrow(() -> new NotFoundException("no function with id '" + id + "'")).value(), null);
  }

  /** Every saved function, oldest first. */
  public static List<Function> list(Spool spool) {
    return search(spool).list();
  }

  /** A search over the saved functions, with filters, a sort and pages. */
  public static FunctionSearch search(Spool spool) {
    return new FunctionSearch(spool);
  }

  Function(Spool spool, FunctionRecord record) {
    this(spool, record, null);
  }

  /**
   * Creates the function: ships its bundle to the cluster's file system and starts its master, which builds its
   * environment (BUILDING → READY). Jobs submitted before it is READY wait.
   *
   * @throws IllegalArgumentException for a request the cluster cannot meet (unknown image, queue or node label; too
   *     large)
   * @throws IllegalStateException if it was saved already
   */
  public Function save() {
    if (record.id() != null) {
      throw new IllegalStateException("function " + record.id() + " is saved already");
    }
    Configuration conf = spool.configuration();
    record.image(Images.resolve(conf, record.image()).name());
    try {
      checkFitsCluster(record);
      spool.masters().checkPlacement(record);
      Bundle bundle = Bundler.bundle(bundleSpec, conf.getLong(SpoolConfig.BUNDLE_MAX_BYTES,
          SpoolConfig.BUNDLE_MAX_BYTES_DEFAULT));
      bundle.warnings().forEach(w -> LOG.warn("function {}: {}", record.name(), w));
      record.callable(bundle.callable()).requirements(bundle.requirements()).compiles(compilesModules(bundle.zip()));
      String id = JobId.newFunctionId();
      Instant now = Instant.now();
      record.id(id).owner(spool.user()).namespace(BlobStore.userDir(spool.user()))
          .status(FunctionStatus.AWAITING_BUNDLE).creationDate(now).modifiedDate(now);
      spool.store().createFunction(record);
      try {
        spool.blobs().ensureUserDir(spool.user());
        String path = BlobStore.bundle(spool.user(), id);
        spool.blobs().write(path, bundle.zip());
        record = spool.store().updateFunction(id, f -> f.bundle(path).transition(FunctionStatus.BUILDING, null));
      } catch (IOException | RuntimeException e) {
        spool.store().updateFunction(id, f -> f.transition(FunctionStatus.BUILD_FAILED,
            "the bundle could not be uploaded: " + e.getMessage()));
        throw e;
      }
      spool.masters().ensureMaster(record);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save function " + record.name() + ": " + e.getMessage(), e);
    }
  }

  /** Whether the bundle holds Cython modules, which the build compiles. */
  private static boolean compilesModules(byte[] zip) throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().endsWith(".pyx")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Refuses resources above the cluster's largest container, naming the setting that bounds it. */
  private void checkFitsCluster(FunctionRecord f) {
    Resource max;
    try {
      max = spool.masters().maximumResource();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    int overhead = spool.configuration().getInt(SpoolConfig.EXECUTOR_MEMORY_OVERHEAD_MB,
        SpoolConfig.EXECUTOR_MEMORY_OVERHEAD_MB_DEFAULT);
    if (f.memory() + overhead > max.getMemorySize()) {
      throw new IllegalArgumentException("memory " + f.memory() + " MiB (plus the runner's " + overhead
          + " MiB) is more than the cluster's largest container, " + max.getMemorySize()
          + " MiB: lower memory or raise 'yarn.scheduler.maximum-allocation-mb'");
    }
    if (Resources.vcores(f.cpus()) > max.getVirtualCores()) {
      throw new IllegalArgumentException("cpus " + f.cpus() + " is more than the cluster's largest container, "
          + max.getVirtualCores() + " vcores: lower cpus or raise 'yarn.scheduler.maximum-allocation-vcores'");
    }
  }

  /** Submits one job with positional arguments (any JSON values). */
  public Job call(Object... args) {
    return callWith(args == null ? java.util.Collections.singletonList(null) : java.util.Arrays.asList(args), Map.of());
  }

  /** Submits one job with positional and keyword arguments. */
  public Job callWith(List<?> args, Map<String, ?> kwargs) {
    return submit().callWith(args, kwargs);
  }

  /**
   * Submits one job per element of {@code argsList}, each element being that job's positional arguments, in
   * batches (one ZooKeeper multi-op each). A batch that failed after others went in is reported with the jobs that
   * went in.
   */
  public List<Job> map(List<? extends List<?>> argsList) {
    return submit().map(argsList);
  }

  /** As {@link #map(List)}, with each job's keyword arguments from {@code kwargsList} (same length). */
  public List<Job> map(List<? extends List<?>> argsList, List<? extends Map<String, ?>> kwargsList) {
    return submit().map(argsList, kwargsList);
  }

  /**
   * Starts a submission whose jobs get tags or environment variables of their own:
   * {@code fn.submit().tags("tile", "2024").environment(Map.of("MODE", "fast")).map(argsList)}.
   */
  public Submit submit() {
    return new Submit();
  }

  private List<Job> submit(List<? extends List<?>> argsList, List<? extends Map<String, ?>> kwargsList,
      List<String> tags, Map<String, String> environment, String idempotencyKey) {
    requireAccepting("nothing was submitted");
    Configuration conf = spool.configuration();
    int inlineMax = conf.getInt(SpoolConfig.ARGS_INLINE_MAX_BYTES, SpoolConfig.ARGS_INLINE_MAX_BYTES_DEFAULT);
    List<JobRecord> records = new ArrayList<>(argsList.size());
    List<byte[]> largeArgs = new ArrayList<>(argsList.size());
    for (int i = 0; i < argsList.size(); i++) {
      String where = argsList.size() == 1 ? "the job's arguments" : "the arguments of job " + i;
      JsonNode args = Json.userValue(Objects.requireNonNull(argsList.get(i), where + " are null"), where);
      Map<String, ?> kw = kwargsList == null ? Map.of() : kwargsList.get(i);
      JsonNode kwargs = Json.userValue(kw == null ? Map.of() : kw, where.replace("arguments", "keyword arguments"));
      if (!(args instanceof ArrayNode)) {
        throw new IllegalArgumentException(where + " must be a list of positional arguments");
      }
      JobRecord job = new JobRecord().tags(tags).environment(environment);
      byte[] size = Json.toBytes(args);
      byte[] kwSize = Json.toBytes(kwargs);
      if (size.length + kwSize.length > inlineMax) {
        ObjectNode both = JsonNodeFactory.instance.objectNode();
        both.set("args", args);
        both.set("kwargs", kwargs);
        largeArgs.add(Json.toBytes(both));
      } else {
        job.args(args.isEmpty() ? null : args).kwargs(kwargs.isEmpty() ? null : kwargs);
        largeArgs.add(null);
      }
      records.add(job);
    }
    int batchSize = conf.getInt(SpoolConfig.SUBMIT_BATCH_SIZE, SpoolConfig.SUBMIT_BATCH_SIZE_DEFAULT);
    if (idempotencyKey == null && (records.size() > batchSize || largeArgs.stream().anyMatch(Objects::nonNull))) {
      spool.store().checkLimits(record.id(), records.size());
    }
    List<Job> jobs = new ArrayList<>(records.size());
    try {
      for (int from = 0; from < records.size(); from += batchSize) {
        int to = Math.min(records.size(), from + batchSize);
        String batchId = idempotencyKey == null ? UUID.randomUUID().toString()
            : idempotencyKey + "-" + from / batchSize;
        List<JobRecord> batch = records.subList(from, to);
        for (int i = from; i < to; i++) {
          if (largeArgs.get(i) != null) {
            String path = BlobStore.functionDir(record.owner(), record.id()) + "/args/" + batchId + "-" + i;
            spool.blobs().write(path, largeArgs.get(i));
            records.get(i).argsFile(path);
          }
        }
        try {
          for (String id : spool.store().submitJobs(record.id(), batchId, batch)) {
            jobs.add(new Job(spool, id, null));
          }
        } catch (BuildFailedRefusalException e) {
          RuntimeException refused = BuildFailedException.refused(record.id(), record.name(), e.reason(),
              jobs.isEmpty() ? "nothing was submitted" : "the jobs before it were submitted and end FAILURE");
          if (jobs.isEmpty()) {
            throw refused;
          }
          throw new PartialSubmissionException(jobs, records.size(), refused);
        } catch (RuntimeException e) {
          if (jobs.isEmpty()) {
            throw e;
          }
          throw new PartialSubmissionException(jobs, records.size(), e);
        }
      }
      spool.masters().ensureMaster(record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot submit jobs to function " + record.id() + ": " + e.getMessage(), e);
    }
    return jobs;
  }

  /**
   * Makes a STOPPED function READY: its pending jobs start (a master is started if none is live). A function still
   * BUILDING becomes READY when its build ends.
   */
  public Function start() {
    requireSaved();
    record = spool.store().updateFunction(record.id(), f -> (f.status() == FunctionStatus.BUILDING ? f.autoStart(true)
        : f.transition(FunctionStatus.READY, null)).modifiedDate(Instant.now()));
    try {
      spool.masters().ensureMaster(record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the master of function " + record.id() + ": " + e.getMessage(), e);
    }
    return this;
  }

  /**
   * Makes a READY function STOPPED: no new job starts; running jobs finish, and then its master exits (it holds a
   * share of the cluster that other functions' masters may need); {@link #start()} starts one again. A function
   * still BUILDING becomes STOPPED when its build ends (its master builds only what is BUILDING).
   */
  public Function stop() {
    requireSaved();
    record = spool.store().updateFunction(record.id(), f -> (f.status() == FunctionStatus.BUILDING ? f.autoStart(false)
        : f.transition(FunctionStatus.STOPPED, null)).modifiedDate(Instant.now()));
    return this;
  }

  /** Accepts submissions and reruns again. */
  public Function enable() {
    return setEnabled(true);
  }

  /** Refuses new submissions and reruns (with a clear error) until {@link #enable()}; jobs already in run. */
  public Function disable() {
    return setEnabled(false);
  }

  private Function setEnabled(boolean enabled) {
    requireSaved();
    record = spool.store().updateFunction(record.id(), f -> f.enabled(enabled).modifiedDate(Instant.now()));
    return this;
  }

  /** Starts a change of the function's mutable attributes; {@link Update#save()} writes it. */
  public Update update() {
    requireSaved();
    return new Update();
  }

  /** The function's job counts per status (every status present, zero where there are none). */
  public Map<JobStatus, Long> jobStatistics() {
    requireSaved();
    return spool.store().jobStatistics(record.id()).asMap();
  }

  /**
   * Deletes the function, its jobs, their logs and its bundle; its results too if {@code deleteResults}.
   *
   * @throws IllegalStateException if any of its jobs is running (wait for them, or cancel them, first)
   */
  public void delete(boolean deleteResults) {
    requireSaved();
    String id = record.id();
    refuseIfRunning();
    FunctionRecord before = record;
    record = spool.store().updateFunction(id, f -> (f.status() == FunctionStatus.READY
        ? f.transition(FunctionStatus.STOPPED, null) : f).enabled(false));
    try {
      refuseIfRunning();
    } catch (IllegalStateException raced) {
      record = spool.store().updateFunction(id, f -> (before.status() == FunctionStatus.READY
          && f.status() == FunctionStatus.STOPPED ? f.transition(FunctionStatus.READY, null) : f)
          .enabled(before.enabled()));
      throw raced;
    }
    try {
      spool.masters().stopMasters(id);
      spool.store().deleteFunction(id);
      spool.blobs().delete(BlobStore.functionDir(record.owner(), id), true);
      spool.logs().deleteFunction(record.owner(), id);
      if (deleteResults) {
        spool.results().deleteFunction(record.owner(), id);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting function " + id + " failed: " + e.getMessage(), e);
    }
  }

  private void refuseIfRunning() {
    Map<JobStatus, Long> stats = spool.store().jobStatistics(record.id()).asMap();
    long running = stats.get(JobStatus.RUNNING) + stats.get(JobStatus.CANCEL) + stats.get(JobStatus.CANCELING);
    if (running > 0) {
      throw new IllegalStateException("function " + record.id() + " has " + running
          + " running job(s): wait for them to end (or cancel them) before deleting it");
    }
  }

  /**
   * Everything the function's build printed (pip, the Cython compiler, what was reused), each line with its UTC
   * time; empty before it ran. While the build runs, what it printed so far.
   */
  public String buildLog() {
    return buildLog(true);
  }

  /** The build log, with or without the time at the start of each line. */
  public String buildLog(boolean timestamps) {
    requireSaved();
    try {
      return spool.blobs().read(BlobStore.buildLog(record.owner(), record.id()))
          .map(b -> LogText.format(new String(b, StandardCharsets.UTF_8), timestamps)).orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the build log of function " + record.id(), e);
    }
  }

  /**
   * The newest point of the function's completion log, to follow it from with {@link #completions}: the jobs that
   * end afterwards. An empty string if the log has no entry (then {@code completions} starts at its beginning).
   */
  public String completionCursor() {
    requireSaved();
    List<Completion> entries = spool.store().completions(record.id(), null, null);
    return entries.isEmpty() ? "" : entries.get(entries.size() - 1).name();
  }

  /**
   * The jobs of this function that ended after {@code cursor} (from {@link #completionCursor()}, or the cursor of
   * the previous call; the empty string reads from the beginning of the log), waiting up to {@code maxWait} for
   * one if none has: the base of a wait that follows many jobs without polling each. It reads the function's
   * completion log (one entry per write that ended jobs) and only the jobs its entries name, about {@code limit} at
   * most; a job deleted since it ended is left out. While nothing ends it keeps a master live for the function's
   * pending jobs, as every wait does.
   */
  public Completions completions(String cursor, Duration maxWait, int limit) throws InterruptedException {
    requireSaved();
    Objects.requireNonNull(cursor, "cursor");
    if (limit < 1) {
      throw new IllegalArgumentException("limit " + limit + " must be at least 1");
    }
    String id = record.id();
    Semaphore changed = new Semaphore(0);
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      changed.drainPermits();
      List<Completion> entries = spool.store().completions(id, cursor.isEmpty() ? null : cursor, changed::release);
      if (!entries.isEmpty()) {
        return read(entries, limit);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        keepMasterForPendingJobs();
        return new Completions(cursor, List.of());
      }
      changed.tryAcquire(left, TimeUnit.NANOSECONDS);
    }
  }

  /** The jobs that whole entries name, up to the entry that reaches {@code limit}, in the order they ended. */
  private Completions read(List<Completion> entries, int limit) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    for (Completion entry : entries) {
      entry.numbers().forEach(n -> ids.add(JobId.of(record.id(), n)));
      cursor = entry.name();
      if (ids.size() >= limit) {
        break;
      }
    }
    Map<String, Versioned<JobRecord>> found = spool.store().jobs(ids);
    List<JobRecord> ended = new ArrayList<>();
    for (String jobId : new LinkedHashSet<>(ids)) {
      Versioned<JobRecord> v = found.get(jobId);
      if (v != null && v.value().status().isTerminal()) {
        ended.add(v.value());
      }
    }
    Comparator<JobRecord> byEnd = Comparator.comparing(JobRecord::lastCompletionDate,
        Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));
    ended.sort(byEnd.thenComparingLong(r -> JobId.number(r.id())));
    List<Job> jobs = new ArrayList<>(ended.size());
    ended.forEach(r -> jobs.add(new Job(spool, r.id(), r).owner(record.owner())));
    return new Completions(cursor, jobs);
  }

  private void keepMasterForPendingJobs() {
    Map<JobStatus, Long> stats = spool.store().jobStatistics(record.id()).asMap();
    if (stats.get(JobStatus.PENDING) + stats.get(JobStatus.RUNNING) > 0) {
      try {
        spool.masters().ensureMaster(spool.store().function(record.id())
            .orElseThrow(() -> new NotFoundException("function " + record.id() + " no longer exists")).value());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the master of function " + record.id() + ": " + e.getMessage(),
            e);
      }
    }
  }

  /** Jobs that can be rerun: FAILURE, TIMEOUT and CANCELED. */
  private static final Set<JobStatus> RERUNNABLE =
      EnumSet.of(JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.CANCELED);

  /** Runs every FAILURE, TIMEOUT and CANCELED job of this function again; returns the jobs put back to PENDING. */
  public List<Job> rerun() {
    return rerun(jobs().status(RERUNNABLE));
  }

  /** Runs the jobs a search finds again where they are FAILURE, TIMEOUT or CANCELED; returns those put back. */
  public List<Job> rerun(JobSearch search) {
    requireAccepting("no job was rerun");
    List<Job> requeued = new ArrayList<>();
    forEachChunk(search, chunk -> requeued.addAll(rerun(chunk)));
    return requeued;
  }

  /** Hands the search's matches to {@code action} a submission batch at a time (bounded memory). */
  private void forEachChunk(JobSearch search, Consumer<List<Job>> action) {
    int size = spool.configuration().getInt(SpoolConfig.SUBMIT_BATCH_SIZE, SpoolConfig.SUBMIT_BATCH_SIZE_DEFAULT);
    List<Job> chunk = new ArrayList<>(size);
    for (Job job : (Iterable<Job>) search.stream()::iterator) {
      chunk.add(job);
      if (chunk.size() == size) {
        action.accept(chunk);
        chunk = new ArrayList<>(size);
      }
    }
    if (!chunk.isEmpty()) {
      action.accept(chunk);
    }
  }

  /**
   * Runs the given jobs again where they are FAILURE, TIMEOUT or CANCELED (others are left alone), in batches each
   * written with its submission-log entry in one multi-op; returns the jobs put back to PENDING.
   *
   * @throws IllegalStateException if the function is disabled
   */
  public List<Job> rerun(Collection<Job> jobs) {
    requireAccepting("no job was rerun");
    int batchSize = spool.configuration().getInt(SpoolConfig.SUBMIT_BATCH_SIZE, SpoolConfig.SUBMIT_BATCH_SIZE_DEFAULT);
    Map<String, Versioned<JobRecord>> current = spool.store().jobs(ids(jobs));
    List<JobWrite> writes = new ArrayList<>();
    for (Versioned<JobRecord> v : current.values()) {
      JobStatus status = v.value().status();
      if (RERUNNABLE.contains(status) && v.value().functionId().equals(record.id())) {
        writes.add(new JobWrite(v.value().transition(JobStatus.PENDING).failures(0), v.version(), status));
      }
    }
    List<Job> requeued = new ArrayList<>();
    for (int from = 0; from < writes.size(); from += batchSize) {
      List<JobWrite> batch = writes.subList(from, Math.min(writes.size(), from + batchSize));
      List<Boolean> applied;
      try {
        applied = spool.store().requeue(record.id(), batch);
      } catch (BuildFailedRefusalException e) {
        throw BuildFailedException.refused(record.id(), record.name(), e.reason(), requeued.isEmpty()
            ? "no job was rerun" : requeued.size() + " jobs were rerun before it and end FAILURE");
      }
      for (int i = 0; i < batch.size(); i++) {
        if (applied.get(i)) {
          requeued.add(new Job(spool, batch.get(i).record().id(), batch.get(i).record()));
        }
      }
    }
    if (!requeued.isEmpty()) {
      try {
        spool.masters().ensureMaster(record);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the master of function " + record.id() + ": " + e.getMessage(), e);
      }
    }
    return requeued;
  }

  /** Cancels every PENDING or RUNNING job of this function (see {@link Job#cancel()}); returns those it asked. */
  public List<Job> cancelJobs() {
    return cancelJobs(jobs().status(JobStatus.PENDING, JobStatus.RUNNING));
  }

  /** Cancels the jobs a search finds that are PENDING or RUNNING; returns those it asked. */
  public List<Job> cancelJobs(JobSearch search) {
    List<Job> asked = new ArrayList<>();
    forEachChunk(search, chunk -> asked.addAll(cancelJobs(chunk)));
    return asked;
  }

  /** Cancels the given jobs that are PENDING or RUNNING; returns those it asked. */
  public List<Job> cancelJobs(Collection<Job> jobs) {
    List<Job> asked = new ArrayList<>();
    for (Job job : jobs) {
      JobStatus before = job.refresh().status();
      if (before == JobStatus.PENDING || before == JobStatus.RUNNING) {
        job.cancel();
        asked.add(job);
      }
    }
    return asked;
  }

  /**
   * Deletes the given jobs that are not running, with their logs (and results if {@code deleteResults}); returns
   * how many were deleted.
   */
  public int deleteJobs(Collection<Job> jobs, boolean deleteResults) {
    List<String> deleted = new ArrayList<>();
    List<String> ids = ids(jobs);
    for (String id : ids) {
      if (!JobId.functionId(id).equals(record.id())) {
        throw new IllegalArgumentException("job " + id + " belongs to function " + JobId.functionId(id) + ", not "
            + record.id() + ": delete it through its own function (nothing was deleted)");
      }
    }
    for (int from = 0; from < ids.size(); from += DELETE_READ_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + DELETE_READ_CHUNK));
      Map<String, Versioned<JobRecord>> read = spool.store().jobs(chunk);
      List<JobDeletion> deletions = new ArrayList<>(chunk.size());
      for (String id : chunk) {
        Versioned<JobRecord> job = read.get(id);
        if (job == null) {
          throw new NotFoundException("no job with id '" + id + "'"
              + (deleted.isEmpty() ? "" : " (" + deleted.size() + " jobs before it were deleted)"));
        }
        if (!isRunning(job.value().status())) {
          deletions.add(new JobDeletion(id, job.version(), job.value().status()));
        }
      }
      List<Boolean> applied = spool.store().deleteJobs(record.id(), deletions);
      for (int i = 0; i < deletions.size(); i++) {
        String id = deletions.get(i).jobId();
        if (applied.get(i) || deleteUnlessRunning(id)) { // one that changed meanwhile: read again
          deleted.add(id);
        }
      }
    }
    if (!deleted.isEmpty()) {
      try {
        spool.logs().delete(record.owner(), deleted);
        if (deleteResults) {
          spool.results().delete(record.owner(), deleted);
          spool.results().compact(record.owner(), record.id());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(deleted.size() + " jobs of function " + record.id()
            + " are deleted but their files could not be: " + e.getMessage(), e);
      }
    }
    return deleted.size();
  }

  private static boolean isRunning(JobStatus status) {
    return status == JobStatus.RUNNING || status == JobStatus.CANCEL || status == JobStatus.CANCELING;
  }

  /** Deletes a job's record unless it runs now; false if it runs or has gone. */
  private boolean deleteUnlessRunning(String jobId) {
    while (true) {
      Optional<Versioned<JobRecord>> read = spool.store().job(jobId);
      if (read.isEmpty() || isRunning(read.get().value().status())) {
        return false;
      }
      if (spool.store().deleteJob(jobId, read.get().version(), read.get().value().status())) {
        return true;
      }
    }
  }

  /** Deletes the jobs a search finds that are not running (see {@link #deleteJobs(Collection, boolean)}). */
  public int deleteJobs(JobSearch search, boolean deleteResults) {
    int[] deleted = {0};
    forEachChunk(search, chunk -> deleted[0] += deleteJobs(chunk, deleteResults));
    return deleted[0];
  }

  private static List<String> ids(Collection<Job> jobs) {
    List<String> ids = new ArrayList<>(jobs.size());
    jobs.forEach(j -> ids.add(j.id()));
    return ids;
  }

  /** A search over this function's jobs (in submission order unless sorted otherwise). */
  public JobSearch jobs() {
    requireSaved();
    return new JobSearch(spool).functionId(record.id());
  }

  /**
   * Yields the given jobs of this function as they end (SUCCESS, FAILURE, TIMEOUT or CANCELED), in the order they
   * ended, each once; jobs that have ended already come first. It follows the function's completion log through a
   * ZooKeeper watch, so it reads each job about once and never polls.
   *
   * <pre>{@code
   * for (Job job : fn.asCompleted(fn.map(args), Duration.ofHours(1))) {
   *   if (job.status() == JobStatus.SUCCESS) { use(job.result()); } else { System.err.println(job.log()); }
   * }
   * }</pre>
   *
   * The iterator throws {@link WaitTimeoutException} once {@code timeout} has passed with jobs still unfinished, and
   * {@link BuildFailedException} if the function's build failed (its jobs will never run).
   *
   * @throws IllegalArgumentException (when iterated) if a job belongs to another function
   */
  public Iterable<Job> asCompleted(Collection<Job> jobs, Duration timeout) {
    requireSaved();
    List<Job> copy = List.copyOf(jobs);
    return () -> new CompletionWaiter(spool, record.id(), copy, timeout);
  }

  /**
   * Waits until no job of the function is pending or running (ended jobs stay as they are) and returns the job
   * counts per status then. Jobs submitted meanwhile are waited on too.
   *
   * @throws TimeoutException if jobs are still pending or running after {@code timeout}
   * @throws BuildFailedException if the build failed while jobs are pending (they will never run)
   */
  public Map<JobStatus, Long> waitForCompletion(Duration timeout) throws TimeoutException, InterruptedException {
    requireSaved();
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextFunctionCheck = System.nanoTime();
    long nextMasterCheck = System.nanoTime() + MASTER_CHECK_NANOS;
    Semaphore changed = new Semaphore(0);
    Runnable signal = changed::release;
    while (true) {
      changed.drainPermits();
      Map<JobStatus, Long> counts = spool.store().jobStatistics(record.id(), signal).asMap();
      long pending = counts.get(JobStatus.PENDING);
      long open = pending + counts.get(JobStatus.RUNNING) + counts.get(JobStatus.CANCEL)
          + counts.get(JobStatus.CANCELING);
      if (open == 0) {
        return counts;
      }
      long now = System.nanoTime();
      // running jobs need a master too: one killed through YARN leaves its jobs RUNNING until the next one
      // recovers them
      if (now - nextFunctionCheck >= 0) {
        refresh();
        if (pending > 0 && record.status() == FunctionStatus.BUILD_FAILED) {
          throw new BuildFailedException(record.id(), pending + " pending job(s)", record.statusReason());
        }
        nextFunctionCheck = now + FUNCTION_CHECK_NANOS;
        if (now - nextMasterCheck >= 0) {
          ensureMaster();
          nextMasterCheck = now + MASTER_CHECK_NANOS;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(open + " job(s) of function " + record.id() + " are still pending or running after "
            + timeout.toSeconds() + " s");
      }
      changed.tryAcquire(Math.min(TimeUnit.NANOSECONDS.toMillis(FUNCTION_CHECK_NANOS),
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Waits until the function is built: READY, or STOPPED where it does not start on its own; returns that status.
   *
   * @throws BuildFailedException if the build failed (the reason names what failed; the build log has the rest)
   * @throws TimeoutException if it is still building after {@code timeout}
   */
  public FunctionStatus waitUntilBuilt(Duration timeout) throws TimeoutException, InterruptedException {
    requireSaved();
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextMasterCheck = System.nanoTime() + MASTER_CHECK_NANOS;
    while (refresh().status() == FunctionStatus.BUILDING || record.status() == FunctionStatus.AWAITING_BUNDLE) {
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw new TimeoutException("function " + record.id() + " is still " + record.status() + " after "
            + timeout.toSeconds() + " s");
      }
      // the build runs in the function's master: one killed meanwhile is replaced
      if (now - nextMasterCheck >= 0) {
        ensureMaster();
        nextMasterCheck = now + MASTER_CHECK_NANOS;
      }
      Thread.sleep(Math.max(1, Math.min(BUILD_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - now))));
    }
    if (record.status() == FunctionStatus.BUILD_FAILED) {
      throw BuildFailedException.failed(record.id(), record.name(), record.statusReason());
    }
    return record.status();
  }

  /** Starts the function's master if none is live (a wait outlives a master killed meanwhile). */
  private void ensureMaster() {
    try {
      spool.masters().ensureMaster(record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the master of function " + record.id() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The results of the function's successful jobs, in submission order, read as the stream is consumed: job records
   * a shard (1,000 jobs) at a time and result blobs a few at a time ahead of the consumer, so memory stays bounded
   * however many jobs there are. Values are as {@link Job#result()} gives them (null where a job returned None).
   */
  public Stream<JobResult<Object>> iterResults() {
    return iterResults((job, data) -> data == null ? null
        : ResultValues.decode(data, job.resultKind(), "the result of job " + job.id()));
  }

  /** As {@link #iterResults()}, each value as {@code type} (see {@link Job#result(Class)}). */
  public <T> Stream<JobResult<T>> iterResults(Class<T> type) {
    return iterResults((job, data) -> data == null ? null
        : ResultValues.decode(spool, data, job.resultKind(), null, type, "the result of job " + job.id()));
  }

  private <T> Stream<JobResult<T>> iterResults(java.util.function.BiFunction<JobRecord, byte[], T> decode) {
    requireSaved();
    String owner = record.owner();
    Stream<Job> succeeded = jobs().status(JobStatus.SUCCESS).stream();
    ResultPrefetch<T> prefetch = new ResultPrefetch<>(spool, owner, succeeded.iterator(), decode);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(prefetch, Spliterator.ORDERED | Spliterator.NONNULL),
        false).onClose(prefetch::close);
  }

  /** Every successful job's result, in submission order, in memory; prefer {@link #iterResults()} for many jobs. */
  public List<Object> results() {
    try (Stream<JobResult<Object>> all = iterResults()) {
      return all.map(JobResult::value).collect(java.util.stream.Collectors.toList());
    }
  }

  /** As {@link #results()}, each value as {@code type}. */
  public <T> List<T> results(Class<T> type) {
    try (Stream<JobResult<T>> all = iterResults(type)) {
      return all.map(JobResult::value).collect(java.util.stream.Collectors.toList());
    }
  }

  /** Reads the function's current state from the cluster. */
  public Function refresh() {
    requireSaved();
    record = spool.store().function(record.id())
        .orElseThrow(() -> new NotFoundException("function " + record.id() + " no longer exists")).value();
    return this;
  }

  /**
   * Reads the function afresh and refuses submissions and reruns while it is disabled, and for good once its build
   * failed ({@code notDone} says what was not done).
   */
  private void requireAccepting(String notDone) {
    requireSaved();
    refresh();
    if (record.status() == FunctionStatus.BUILD_FAILED) {
      throw BuildFailedException.refused(record.id(), record.name(), record.statusReason(), notDone);
    }
    if (!record.enabled()) {
      throw new IllegalStateException("function " + record.id() + " (\"" + record.name()
          + "\") is disabled: enable() it to submit or rerun jobs");
    }
  }

  private void requireSaved() {
    if (record.id() == null) {
      throw new IllegalStateException("function " + record.name() + " is not saved: call save() first");
    }
  }

  public String id() { return record.id(); }
  public String name() { return record.name(); }
  public String entrypoint() { return record.entrypoint(); }
  public String image() { return record.image(); }
  public double cpus() { return record.cpus(); }
  public int memory() { return record.memory(); }
  public int maximumConcurrency() { return record.maximumConcurrency(); }
  public int timeout() { return record.timeout(); }
  public int retryCount() { return record.retryCount(); }
  /** How its jobs get their Python process. */
  public JobProcess jobProcess() { return record.jobProcess(); }
  /** With {@link JobProcess#REUSED}: the most jobs one process runs, 0 for no limit. */
  public int maxJobsPerProcess() { return record.maxJobsPerProcess(); }
  /** The YARN queue of its master and executors. */
  public String queue() { return MasterStarter.queue(spool.configuration(), record); }
  /** The YARN application priority of its master. */
  public int priority() { return record.priority(); }
  /** The YARN node label expression of its master and executors, if it has one. */
  public Optional<String> nodeLabel() { return Optional.ofNullable(MasterStarter.nodeLabel(record.nodeLabel())); }
  public Map<String, String> environment() { return Map.copyOf(record.environment()); }
  public boolean enabled() { return record.enabled(); }
  public boolean autoStart() { return record.autoStart(); }
  public Instant modifiedDate() { return record.modifiedDate(); }
  public FunctionStatus status() { return record.status(); }
  /** Why the function is in its status, if that needs saying (e.g. a failed build). */
  public String statusReason() { return record.statusReason(); }
  public String owner() { return record.owner(); }
  public Instant creationDate() { return record.creationDate(); }

  @Override
  public String toString() {
    return "Function " + (record.id() == null ? "(unsaved)" : record.id()) + " \"" + record.name() + "\" "
        + (record.status() == null ? "" : record.status());
  }

  /** A submission with options for its jobs; {@link #map} or {@link #call} submits. */
  public final class Submit {
    private List<String> tags = List.of();
    private Map<String, String> environment = Map.of();
    private String idempotencyKey;

    private Submit() {}

    /**
     * Makes the submission idempotent: submitting again with the same key (e.g. after a reply was lost) returns the
     * jobs of the first submission and creates none. A key is 1 to 64 letters, digits, '-' and '_'.
     */
    public Submit idempotencyKey(String key) {
      if (key == null || !key.matches("[A-Za-z0-9_-]{1,64}")) {
        throw new IllegalArgumentException("idempotency key '" + key
            + "' is not valid: use 1 to 64 letters, digits, '-' and '_'");
      }
      this.idempotencyKey = key;
      return this;
    }

    /** Tags for every job of this submission (searchable with {@link JobSearch#tags}). */
    public Submit tags(String... tags) {
      for (String t : tags) {
        if (t == null || t.isBlank()) {
          throw new IllegalArgumentException("a job tag must not be empty");
        }
      }
      this.tags = List.of(tags);
      return this;
    }

    /** Environment variables for every job of this submission, over the function's own. */
    public Submit environment(Map<String, String> environment) {
      environment.forEach((k, v) -> {
        if (k == null || k.isEmpty() || k.contains("=") || v == null) {
          throw new IllegalArgumentException("job environment entry " + k + "=" + v
              + " is not valid: names must be non-empty without '=', values not null");
        }
      });
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** Submits one job with positional arguments. */
    public Job call(Object... args) {
      return callWith(args == null ? java.util.Collections.singletonList(null) : java.util.Arrays.asList(args),
          Map.of());
    }

    /** Submits one job with positional and keyword arguments. */
    public Job callWith(List<?> args, Map<String, ?> kwargs) {
      return submit(List.of(args), List.of(kwargs), tags, environment, idempotencyKey).get(0);
    }

    /** Submits one job per element of {@code argsList} (see {@link Function#map(List)}). */
    public List<Job> map(List<? extends List<?>> argsList) {
      return submit(argsList, null, tags, environment, idempotencyKey);
    }

    /** As {@link #map(List)}, with each job's keyword arguments. */
    public List<Job> map(List<? extends List<?>> argsList, List<? extends Map<String, ?>> kwargsList) {
      if (kwargsList.size() != argsList.size()) {
        throw new IllegalArgumentException("map got " + argsList.size() + " argument lists but " + kwargsList.size()
            + " keyword-argument maps: give one of each per job");
      }
      return submit(argsList, kwargsList, tags, environment, idempotencyKey);
    }
  }

  /** Collects a new function's attributes; each is checked where it is set. */
  public static final class Builder extends FunctionAttributes<Builder> {
    private final Spool spool;
    private final BundleSpec.Builder bundle;
    private final FunctionRecord record = new FunctionRecord();

    private Builder(Spool spool, String text, Entrypoint entrypoint) {
      Configuration conf = spool.configuration();
      this.spool = spool;
      this.bundle = BundleSpec.builder(text);
      record.entrypoint(entrypoint.isFile() ? entrypoint.file() + ":" + entrypoint.function() : text.trim())
          .callable(entrypoint.callable())
          .name(entrypoint.function())
          .image(conf.getTrimmed(SpoolConfig.IMAGE_DEFAULT, SpoolConfig.IMAGE_DEFAULT_DEFAULT))
          .cpus(Resources.parseCpus(conf.getTrimmed(SpoolConfig.FUNCTION_CPUS, SpoolConfig.FUNCTION_CPUS_DEFAULT)))
          .memory(Resources.parseMemoryMiB(conf.getTrimmed(SpoolConfig.FUNCTION_MEMORY, SpoolConfig.FUNCTION_MEMORY_DEFAULT)))
          .maximumConcurrency(conf.getInt(SpoolConfig.FUNCTION_MAXIMUM_CONCURRENCY, SpoolConfig.FUNCTION_MAXIMUM_CONCURRENCY_DEFAULT))
          .timeout(conf.getInt(SpoolConfig.FUNCTION_TIMEOUT, SpoolConfig.FUNCTION_TIMEOUT_DEFAULT))
          .retryCount(conf.getInt(SpoolConfig.FUNCTION_RETRY_COUNT, SpoolConfig.FUNCTION_RETRY_COUNT_DEFAULT))
          .jobProcess(JobProcess.parse(conf.getTrimmed(SpoolConfig.FUNCTION_JOB_PROCESS,
              SpoolConfig.FUNCTION_JOB_PROCESS_DEFAULT)))
          .maxJobsPerProcess(conf.getInt(SpoolConfig.FUNCTION_MAX_JOBS_PER_PROCESS,
              SpoolConfig.FUNCTION_MAX_JOBS_PER_PROCESS_DEFAULT))
          .queue(conf.getTrimmed(SpoolConfig.YARN_QUEUE, SpoolConfig.YARN_QUEUE_DEFAULT))
          .priority(conf.getInt(SpoolConfig.YARN_PRIORITY, SpoolConfig.YARN_PRIORITY_DEFAULT))
          .nodeLabel(MasterStarter.nodeLabel(conf.getTrimmed(SpoolConfig.YARN_NODE_LABEL,
              SpoolConfig.YARN_NODE_LABEL_DEFAULT)));
    }

    /**
     * The entrypoint as the function shows it, when the one given was resolved against another directory (a spec's
     * relative {@code tiles.py:run} becomes an absolute path to bundle, and stays {@code tiles.py:run} to read).
     */
    Builder entrypointAsWritten(String written) {
      record.entrypoint(written.trim());
      return this;
    }

    /** Local packages and modules to ship, by import name ({@code mypkg}, {@code mypkg.sub}, {@code helpers}). */
    public Builder includeModules(List<String> names) {
      bundle.includeModules(names);
      return this;
    }

    /** Glob patterns of data files to ship, relative to the python path ({@code mypkg/data/*.json}). */
    public Builder includeData(List<String> patterns) {
      bundle.includeData(patterns);
      return this;
    }

    /** pip requirement lines (PEP 508, or pip option lines such as {@code --index-url URL}), checked at save. */
    public Builder requirements(List<String> lines) {
      bundle.requirements(lines);
      return this;
    }

    /** A pip requirements file instead of lines. */
    public Builder requirementsFile(Path file) {
      bundle.requirementsFile(file);
      return this;
    }

    /** Where included modules and data are looked up, in order (default: the current directory). */
    public Builder pythonPath(List<Path> roots) {
      bundle.pythonPath(roots);
      return this;
    }

    @Override
    void set(Consumer<FunctionRecord> change) {
      change.accept(record);
    }

    /** The image, e.g. {@code python3.11} or {@code python3.11:latest}; defaults to the configured one. */
    public Builder image(String image) {
      if (image == null || image.isBlank()) {
        throw new IllegalArgumentException("image must not be empty");
      }
      record.image(image.trim());
      return this;
    }

    /** The unsaved function; call {@link Function#save()}. */
    public Function build() {
      return new Function(spool, record, bundle.build());
    }
  }

  /**
   * Changes to a saved function's mutable attributes; {@link #save()} writes them at once. They take effect for jobs
   * that start afterwards (an executor of the old size finishes its job and is replaced). The YARN placement —
   * {@link #queue}, {@link #priority}, {@link #nodeLabel} — is the exception: it belongs to the master's YARN
   * application, so a running master keeps the old one and the function's next master (started when the running one
   * has exited after its idle time, or was killed) gets the new one.
   */
  public final class Update extends FunctionAttributes<Update> {
    private final List<Consumer<FunctionRecord>> changes = new ArrayList<>();

    private Update() {}

    @Override
    void set(Consumer<FunctionRecord> change) {
      changes.add(change);
    }

    /**
     * Writes the changes; refused if the new resources exceed the cluster's largest container, or a new queue or node
     * label does not exist on the cluster.
     */
    public Function save() {
      FunctionRecord preview = Json.fromBytes(Json.toBytes(record), FunctionRecord.class);
      changes.forEach(c -> c.accept(preview));
      checkFitsCluster(preview);
      if (!Objects.equals(preview.queue(), record.queue()) || !Objects.equals(preview.nodeLabel(), record.nodeLabel())) {
        spool.masters().checkPlacement(preview);
      }
      record = spool.store().updateFunction(record.id(), f -> {
        changes.forEach(c -> c.accept(f));
        return f.modifiedDate(Instant.now());
      });
      return Function.this;
    }
  }
}
