package io.spool.cli;

import io.spool.client.BuildFailedException;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.WaitTimeoutException;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Waits on jobs as they end (one completion waiter per function), shows progress and turns the outcome into an exit code. */
final class JobWaiter {

  private final Spool spool;
  private final ProgressPrinter.Mode mode;
  private final boolean cancelOnInterrupt;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
  private final Set<String> ended = ConcurrentHashMap.newKeySet();
  private final Queue<String> buildFailures = new ConcurrentLinkedQueue<>();

  JobWaiter(Spool spool, ProgressPrinter.Mode mode, boolean cancelOnInterrupt, PrintWriter out, PrintWriter err) {
    this.spool = spool;
    this.mode = mode;
    this.cancelOnInterrupt = cancelOnInterrupt;
    this.out = out;
    this.err = err;
  }

  /** Waits for the jobs; returns 0 if all succeeded, 1 if any did not, 3 if a build failed, 4 on timeout. */
  int await(List<Job> jobs, Duration timeout) throws InterruptedException {
    Map<String, List<Job>> byFunction = new LinkedHashMap<>();
    for (Job job : jobs) {
      byFunction.computeIfAbsent(job.functionId(), f -> new ArrayList<>()).add(job);
    }
    ExecutorService waiters = Executors.newFixedThreadPool(byFunction.size(), r -> {
      Thread t = new Thread(r, "spool-wait");
      t.setDaemon(true);
      return t;
    });
    List<Future<?>> running = new ArrayList<>();
    try (CancelOnInterrupt hook = CancelOnInterrupt.during(cancelOnInterrupt, () -> unfinished(jobs), err);
        ProgressPrinter progress = new ProgressPrinter(out, mode, c -> jobs.size(), this::snapshot)) {
      for (Map.Entry<String, List<Job>> group : byFunction.entrySet()) {
        Function function = Function.get(spool, group.getKey());
        running.add(waiters.submit(() -> {
          int neverRan = 0;
          for (Job job : function.asCompleted(group.getValue(), timeout)) {
            ended(job, progress);
            if (job.status() == JobStatus.FAILURE && job.executionCount() == 0) {
              neverRan++;
            }
          }
          if (neverRan > 0 && function.refresh().status() == FunctionStatus.BUILD_FAILED) {
            buildFailures.add(neverRan(neverRan + " job(s)", function));
          }
          return null;
        }));
      }
      BuildFailedException buildFailed = null;
      WaitTimeoutException timedOut = null;
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof BuildFailedException b) {
            buildFailed = b;
          } else if (e.getCause() instanceof WaitTimeoutException t) {
            timedOut = t;
          } else if (e.getCause() instanceof RuntimeException r) {
            throw r;
          } else {
            throw new IllegalStateException(e.getCause());
          }
        }
      }
      progress.done(snapshot());
      if (buildFailed != null) {
        buildFailures.add(buildFailed.getMessage());
      }
      if (!buildFailures.isEmpty()) {
        buildFailures.forEach(message -> err.println("spool: " + message));
        return SpoolCli.EXIT_BUILD_FAILED;
      }
      if (timedOut != null) {
        err.println("spool: " + (jobs.size() - ended.size()) + " of " + jobs.size() + " jobs have not ended after "
            + timeout.toSeconds() + " s");
        return SpoolCli.EXIT_TIMEOUT;
      }
      return snapshot().getOrDefault(JobStatus.SUCCESS, 0L) == jobs.size() ? SpoolCli.EXIT_OK
          : SpoolCli.EXIT_JOBS_FAILED;
    } finally {
      waiters.shutdownNow();
    }
  }

  private void ended(Job job, ProgressPrinter progress) {
    if (!ended.add(job.id())) {
      return;
    }
    synchronized (counts) {
      counts.merge(job.status(), 1L, Long::sum);
    }
    if (job.status() != JobStatus.SUCCESS) {
      progress.line(job.id() + " " + job.status() + (job.errorReason() == null ? "" : " " + job.errorReason()));
    }
  }

  private Map<JobStatus, Long> snapshot() {
    synchronized (counts) {
      Map<JobStatus, Long> copy = new EnumMap<>(JobStatus.class);
      copy.putAll(counts);
      return copy;
    }
  }

  private List<Job> unfinished(List<Job> jobs) {
    return jobs.stream().filter(j -> !ended.contains(j.id())).toList();
  }

  /** Why {@code jobs} of a function whose build failed ended FAILURE without running, and where to read more. */
  static String neverRan(String jobs, Function function) {
    return jobs + " never ran: the build of function " + function.id() + " failed: " + function.statusReason()
        + "; read the build log with 'spool function build-log " + function.id() + "'";
  }
}
