package io.spool.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.config.SpoolConfig;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs in the Python worker, one at a time. While a job runs its process tree is measured from {@code /proc},
 * and the job is killed (signal 9 to its process group, through the worker) when it passes its timeout or its memory
 * limit, when the master cancels it, or when the channel to the master closes. The worker stores results up to this
 * executor's {@link Limits} and keeps the tail of larger logs. If the worker could not import the entrypoint, every
 * job fails with the worker's reason (a user's mistake: the job must end, never hang).
 */
final class JobExecution implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
  private static final long STARTUP_TIMEOUT_MS = 120_000;
  private static final long KILL_GRACE_MS = 10_000;
  private static final long MIB = 1024 * 1024;

  /**
   * One attempt of a job as the master hands it out.
   *
   * @param timeoutSeconds the function's timeout, 0 for none
   * @param memoryMiB the function's memory per job, 0 for no limit
   * @param process the process the job runs in
   */
  record Job(String id, int attempt, JsonNode args, JsonNode kwargs, Map<String, String> env, long timeoutSeconds,
      long memoryMiB, Process process) {

    /** A job that runs in a fresh process. */
    Job(String id, int attempt, JsonNode args, JsonNode kwargs, Map<String, String> env, long timeoutSeconds,
        long memoryMiB) {
      this(id, attempt, args, kwargs, env, timeoutSeconds, memoryMiB, Process.FRESH);
    }
  }

  /**
   * The job process a job runs in (see {@code spool_job.py}).
   *
   * @param mode {@code fresh} or {@code reused}
   * @param maxJobs with {@code reused}: the most jobs of a process, 0 for no limit
   * @param memoryBytes with {@code reused}: a process whose resident memory after a job is above this is replaced
   *     before the next one; 0 for no limit
   */
  record Process(String mode, int maxJobs, long memoryBytes) {
    static final Process FRESH = new Process("fresh", 0, 0);
  }

  /**
   * What the worker keeps of every job, from the client's configuration; 0 (or less) for no limit.
   *
   * @param resultMaxBytes the largest result stored: a larger one fails the job
   * @param logMaxBytes the largest log kept: past it the log keeps its tail and notes the cut
   */
  record Limits(long resultMaxBytes, long logMaxBytes) {
    static final Limits NONE = new Limits(0, 0);

    /** {@value SpoolConfig#RESULT_MAX_BYTES} and {@value SpoolConfig#LOG_MAX_BYTES}. */
    static Limits of(Configuration conf) {
      return new Limits(conf.getLong(SpoolConfig.RESULT_MAX_BYTES, SpoolConfig.RESULT_MAX_BYTES_DEFAULT),
          conf.getLong(SpoolConfig.LOG_MAX_BYTES, SpoolConfig.LOG_MAX_BYTES_DEFAULT));
    }
  }

  /** Why the runner ended a job before it ended by itself: the status and reason its outcome reports. */
  record Ending(String status, String reason) {
    static final Ending CANCELED = new Ending("CANCELED", "canceled");

    static Ending timedOut(long seconds) {
      return new Ending("TIMEOUT", "timed out after " + seconds + " s (the function's timeout)");
    }

    static Ending memoryExceeded(long usedBytes, long limitMiB) {
      long usedMiB = (usedBytes + MIB - 1) / MIB;
      return new Ending("FAILURE", "memory limit exceeded: the job used " + usedMiB + " MiB, more than its "
          + limitMiB + " MiB (the function's memory; raise it with update().memory(...))");
    }

    static Ending masterLost(String why) {
      return new Ending("FAILURE", "the executor lost its master: " + why);
    }
  }

  private final PythonWorker worker;
  private final String fatal;
  private final Duration samplePeriod;
  private final Limits limits;
  private final Object lock = new Object();
  private Attempt running; // guarded by lock
  private String canceledBeforeStart; // guarded by lock: a cancel that arrived while no job ran
  private String lost; // guarded by lock: why the runner cannot go on, once it cannot

  private JobExecution(PythonWorker worker, String fatal, Duration samplePeriod, Limits limits) {
    this.worker = worker;
    this.fatal = fatal;
    this.samplePeriod = samplePeriod;
    this.limits = limits;
  }

  /** Starts the worker and waits until it has imported the entrypoint (or said why it cannot). */
  static JobExecution start(String python, Path script, Path bundle, String callable, Duration samplePeriod,
      Limits limits) throws IOException, InterruptedException {
    return attach(PythonWorker.start(python, script, bundle, callable), callable, samplePeriod, limits);
  }

  /**
   * Waits until a just-started worker has imported {@code callable}; its processes will be sampled every
   * {@code samplePeriod}, and its jobs kept within {@code limits}.
   */
  static JobExecution attach(PythonWorker worker, String callable, Duration samplePeriod, Limits limits)
      throws InterruptedException {
    JsonNode first = worker.receive(STARTUP_TIMEOUT_MS);
    if (first == null) {
      worker.close();
      return new JobExecution(null, "the Python worker did not start within " + STARTUP_TIMEOUT_MS / 1000 + " s",
          samplePeriod, limits);
    }
    String type = first.path("type").asText();
    if ("ready".equals(type)) {
      LOG.info("Python worker ready (pid {}, Python {})", first.path("pid").asInt(), first.path("python").asText());
      return new JobExecution(worker, null, samplePeriod, limits);
    }
    String reason = "fatal".equals(type) ? first.path("error").asText()
        : "the Python worker exited before it was ready (see the container's stderr)";
    LOG.error("Python worker cannot run {}: {}", callable, reason);
    worker.close();
    return new JobExecution(null, reason, samplePeriod, limits);
  }

  /**
   * Runs one attempt in the worker and returns how it ended; throws if the worker itself failed. What the job
   * prints goes to {@code log}, its result to {@code result} (and its metadata, if any, beside it).
   */
  JobOutcome run(Job job, Path log, Path result, Path tmp) throws IOException, InterruptedException {
    if (fatal != null) {
      return new JobOutcome("FAILURE", null, fatal, 0, null, null);
    }
    Attempt attempt = begin(job, log, result, tmp);
    if (!attempt.sent) {
      Ending ending = attempt.kill.get().ending();
      LOG.info("job {} did not start: {}", job.id(), ending.reason());
      return new JobOutcome(ending.status(), null, ending.reason(), 0, null, null);
    }
    try {
      return outcome(attempt, await(attempt));
    } finally {
      finish(attempt);
    }
  }

  /**
   * Kills the job {@code jobId} if it runs (its outcome is CANCELED). A cancel that arrives while no job runs is
   * kept until the next job starts: it cancels that job if it is the same one (the master sent the job and then
   * its cancel before this runner began it), and is dropped otherwise (a job that ended as its cancel crossed its
   * outcome on the wire).
   */
  void cancel(String jobId) {
    synchronized (lock) {
      if (running == null) {
        canceledBeforeStart = jobId;
      } else if (running.job.id().equals(jobId)) {
        running.end(Ending.CANCELED);
      } else {
        LOG.info("ignoring the cancel of job {}: job {} is running", jobId, running.job.id());
      }
    }
  }

  /** Kills the running job, if any, and fails any later one, because the runner cannot go on (the master has gone). */
  void abort(String why) {
    synchronized (lock) {
      lost = why;
      if (running != null) {
        running.end(Ending.masterLost(why));
      }
    }
  }

  /**
   * Sends the run request and makes the attempt the running one; or, if the job was canceled already or the master
   * is lost, returns an attempt that was not sent, ended by that.
   */
  private Attempt begin(Job job, Path log, Path result, Path tmp) throws IOException {
    synchronized (lock) {
      Ending refused = lost != null ? Ending.masterLost(lost)
          : job.id().equals(canceledBeforeStart) ? Ending.CANCELED : null;
      canceledBeforeStart = null;
      if (refused != null) {
        return new Attempt(job, false, new Kill(refused, System.nanoTime()));
      }
      // under the lock: a kill for this job can only follow its run request, never overtake it
      worker.send(runRequest(job, log, result, tmp, limits));
      running = new Attempt(job, true, null);
      return running;
    }
  }

  private void finish(Attempt attempt) throws InterruptedException {
    synchronized (lock) {
      if (running == attempt) {
        running = null;
      }
    }
    attempt.stopMonitor();
  }

  private static ObjectNode runRequest(Job job, Path log, Path result, Path tmp, Limits limits) {
    ObjectNode run = JsonNodeFactory.instance.objectNode();
    run.put("type", "run");
    run.put("job", job.id());
    run.put("attempt", job.attempt());
    run.set("args", job.args() == null || job.args().isNull() ? JsonNodeFactory.instance.arrayNode() : job.args());
    run.set("kwargs", job.kwargs() == null || job.kwargs().isNull() ? JsonNodeFactory.instance.objectNode()
        : job.kwargs());
    ObjectNode envNode = run.putObject("env");
    job.env().forEach(envNode::put);
    run.put("log", log.toString());
    run.put("result", result.toString());
    run.put("tmpdir", tmp.toString());
    run.put("process", job.process().mode());
    run.put("maxJobsPerProcess", job.process().maxJobs());
    run.put("processMemoryBytes", job.process().memoryBytes());
    run.put("resultMaxBytes", Math.max(0, limits.resultMaxBytes()));
    run.put("logMaxBytes", Math.max(0, limits.logMaxBytes()));
    return run;
  }

  /**
   * Waits for the worker's last word on the attempt ({@code done}, or {@code error} if it refused the job), starting
   * the monitor when the job's process has started and ending the job when its timeout passes. Throws if the worker
   * exits, or does not end the job within {@value #KILL_GRACE_MS} ms of a kill.
   */
  private JsonNode await(Attempt attempt) throws IOException, InterruptedException {
    while (true) {
      JsonNode message = worker.receive(attempt.waitMillis());
      if (message == null) {
        attempt.onWaitExpired();
        continue;
      }
      String type = message.path("type").asText();
      if ("eof".equals(type)) {
        throw new IOException("the Python worker exited while running job " + attempt.job.id());
      }
      if (!attempt.job.id().equals(message.path("job").asText())) {
        continue;
      }
      if ("started".equals(type)) {
        attempt.started(message.path("pid").asInt());
      } else if ("done".equals(type) || "error".equals(type)) {
        return message;
      }
    }
  }

  /** The one place that decides how an attempt ended, from the worker's last message and the runner's kill. */
  private JobOutcome outcome(Attempt attempt, JsonNode last) throws InterruptedException {
    double runtime = (System.nanoTime() - attempt.startNanos) / 1e9;
    ProcessTreeMonitor.Statistics statistics = withUsage(attempt.stopMonitor(), last.get("usage"), runtime);
    if ("error".equals(last.path("type").asText())) {
      return new JobOutcome("FAILURE", null, "the worker refused the job: " + last.path("error").asText(), runtime,
          null, statistics);
    }
    Integer exitCode = last.path("exitCode").isNumber() ? last.get("exitCode").asInt() : null;
    Kill kill = attempt.kill.get();
    // a job that ended by itself before the runner's kill reached it keeps its own outcome
    if (kill != null && last.path("signal").isNumber()) {
      return new JobOutcome(kill.ending().status(), exitCode, kill.ending().reason(), runtime, null, statistics);
    }
    String error = last.path("error").isTextual() ? last.get("error").asText() : null;
    if (error != null) {
      return new JobOutcome("FAILURE", exitCode, error, runtime, null, statistics);
    }
    String kind = last.path("resultKind").asText("none");
    return new JobOutcome("SUCCESS", exitCode, null, runtime, "none".equals(kind) ? null : kind, statistics);
  }

  /**
   * The monitor's statistics completed by what the worker says the reaped job used ({@code usage}: its CPU seconds
   * and largest resident set, its waited-for children's included). A job shorter than the sampling period was never
   * sampled (its memory is then the largest resident set, for the peak and the mean alike), and the CPU a sampled job
   * spent after its last sample counts too. Null if neither is known.
   */
  static ProcessTreeMonitor.Statistics withUsage(ProcessTreeMonitor.Statistics sampled, JsonNode usage,
      double wallSeconds) {
    if (usage == null || !usage.isObject()) {
      return sampled;
    }
    double cpu = usage.path("cpuSeconds").asDouble(0);
    long largest = usage.path("maxRssBytes").asLong(0);
    boolean neverSampled = sampled == null || sampled.peakMemoryBytes() == 0;
    if (!neverSampled) {
      cpu = Math.max(cpu, sampled.cpuSeconds());
    }
    long peak = neverSampled ? largest : Math.max(largest, sampled.peakMemoryBytes());
    long average = neverSampled ? largest : sampled.averageMemoryBytes();
    return new ProcessTreeMonitor.Statistics(cpu, wallSeconds > 0 ? cpu / wallSeconds * 100 : 0, peak, average,
        wallSeconds);
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.close();
    }
  }

  /** The runner's kill of a job: why, and when (the worker then has {@value #KILL_GRACE_MS} ms to end it). */
  private record Kill(Ending ending, long atNanos) {}

  /** The running attempt: its deadline, its monitor and the runner's kill, which any thread may make. */
  private final class Attempt {
    final Job job;
    final boolean sent;
    final long startNanos = System.nanoTime();
    final long deadlineNanos;
    final AtomicReference<Kill> kill;
    private ProcessTreeMonitor monitor; // the waiting thread's only

    /** An attempt whose run request was {@code sent}, or one that was not, ended by {@code refused}. */
    Attempt(Job job, boolean sent, Kill refused) {
      this.job = job;
      this.sent = sent;
      this.kill = new AtomicReference<>(refused);
      this.deadlineNanos = job.timeoutSeconds() > 0 ? startNanos + job.timeoutSeconds() * 1_000_000_000L
          : Long.MAX_VALUE;
    }

    void started(int pid) {
      if (monitor == null && pid > 0) {
        ProcessTreeMonitor watch = ProcessTreeMonitor.of(pid);
        if (!Process.FRESH.mode().equals(job.process().mode())) {
          watch.fromNow(pid);
        }
        monitor = watch.start(samplePeriod, this::checkMemory);
      }
    }

    private void checkMemory(ProcessTreeMonitor.Sample sample) {
      if (job.memoryMiB() > 0 && sample.memoryBytes() > job.memoryMiB() * MIB) {
        end(Ending.memoryExceeded(sample.memoryBytes(), job.memoryMiB()));
      }
    }

    /** Kills the job for {@code ending}; the first ending wins, later ones change nothing. */
    void end(Ending ending) {
      if (!kill.compareAndSet(null, new Kill(ending, System.nanoTime()))) {
        return;
      }
      LOG.info("killing job {}: {}", job.id(), ending.reason());
      try {
        worker.send(JsonNodeFactory.instance.objectNode().put("type", "kill").put("job", job.id()).put("signal", 9));
      } catch (IOException e) {
        LOG.warn("cannot tell the Python worker to kill job {} (the worker has gone)", job.id(), e);
      }
    }

    /**
     * How long the waiting thread may block: until the timeout, or the end of a kill's grace. Kills made by other
     * threads are noticed within one grace period, so no wait is longer than that.
     */
    long waitMillis() {
      long now = System.nanoTime();
      Kill k = kill.get();
      long until = k != null ? k.atNanos() + KILL_GRACE_MS * 1_000_000L
          : Math.min(deadlineNanos, now + KILL_GRACE_MS * 1_000_000L);
      return Math.max(1, (until - now + 999_999) / 1_000_000);
    }

    /** Ends the job if its timeout has passed; throws if a kill's grace has passed and the job still runs. */
    void onWaitExpired() throws IOException {
      long now = System.nanoTime();
      Kill k = kill.get();
      if (k != null && now - k.atNanos() >= KILL_GRACE_MS * 1_000_000L) {
        throw new IOException("the Python worker did not end job " + job.id() + " within " + KILL_GRACE_MS / 1000
            + " s after it was killed (" + k.ending().reason() + ")");
      }
      if (k == null && now >= deadlineNanos) {
        end(Ending.timedOut(job.timeoutSeconds()));
      }
    }

    ProcessTreeMonitor.Statistics stopMonitor() throws InterruptedException {
      return monitor == null ? null : monitor.stop();
    }
  }
}
