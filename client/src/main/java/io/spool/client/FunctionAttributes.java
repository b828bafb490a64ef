package io.spool.client;

import io.spool.core.model.JobProcess;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.Resources;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The attributes of a function that a user sets, each checked where it is set; shared by the builder of a new
 * function and the update of a saved one.
 *
 * @param <T> the concrete builder, for chaining
 */
public abstract class FunctionAttributes<T extends FunctionAttributes<T>> {

  FunctionAttributes() {}

  /** Applies a checked change to the function being built or updated. */
  abstract void set(Consumer<FunctionRecord> change);

  @SuppressWarnings("unchecked")
  private T self() {
    return (T) this;
  }

  /** Display name; defaults to the entrypoint's function name. */
  public T name(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    set(r -> r.name(name));
    return self();
  }

  /** CPUs per job: a number or a numeric string, greater than 0. */
  public T cpus(Object cpus) {
    double parsed = Resources.parseCpus(cpus);
    set(r -> r.cpus(parsed));
    return self();
  }

  /** Memory per job: MiB, or a string such as {@code 512Mi} or {@code 2Gi}. */
  public T memory(Object memory) {
    int parsed = Resources.parseMemoryMiB(memory);
    set(r -> r.memory(parsed));
    return self();
  }

  /** Most jobs running at once, at least 1. */
  public T maximumConcurrency(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maximumConcurrency must be at least 1, not " + n);
    }
    set(r -> r.maximumConcurrency(n));
    return self();
  }

  /** Seconds one attempt may run, at least 1. */
  public T timeout(int seconds) {
    if (seconds < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 second, not " + seconds);
    }
    set(r -> r.timeout(seconds));
    return self();
  }

  /** Retries of a job that failed by its own fault, at least 0. */
  public T retryCount(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("retryCount must be 0 or more, not " + n);
    }
    set(r -> r.retryCount(n));
    return self();
  }

  /**
   * How the function's jobs get their Python process: {@link JobProcess#FRESH} (a process per job, nothing leaks
   * between jobs) or {@link JobProcess#REUSED} (a process runs jobs one after another; cheaper for short jobs).
   */
  public T jobProcess(JobProcess mode) {
    set(r -> r.jobProcess(java.util.Objects.requireNonNull(mode, "jobProcess")));
    return self();
  }

  /** With {@link JobProcess#REUSED}: the most jobs one process runs before it is replaced, 0 for no limit. */
  public T maxJobsPerProcess(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxJobsPerProcess must be 0 (no limit) or more, not " + n);
    }
    set(r -> r.maxJobsPerProcess(n));
    return self();
  }

  /**
   * The YARN queue of the function's master and executors (default {@code spool.yarn.queue}); checked against the
   * cluster's queues at save. A saved function's new queue applies from its next master: a running master keeps its
   * queue until it exits (when idle, or when {@code yarn application -kill} ends it).
   */
  public T queue(String queue) {
    if (queue == null || queue.isEmpty() || queue.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("queue must be a YARN queue name without whitespace, not '" + queue + "'");
    }
    set(r -> r.queue(queue));
    return self();
  }

  /**
   * The YARN application priority of the function's master, at least 0 (default {@code spool.yarn.priority}); YARN
   * caps it at the queue's maximum. A saved function's new priority applies from its next master.
   */
  public T priority(int priority) {
    if (priority < 0) {
      throw new IllegalArgumentException("priority must be 0 or more, not " + priority);
    }
    set(r -> r.priority(priority));
    return self();
  }

  /**
   * The YARN node label expression that the function's master and executors run on, e.g. {@code gpu} (default
   * {@code spool.yarn.node-label}); checked against the cluster's node labels at save. A saved function's new label
   * applies from its next master.
   */
  public T nodeLabel(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("nodeLabel must be a node label expression, not empty");
    }
    String trimmed = expression.strip();
    set(r -> r.nodeLabel(trimmed));
    return self();
  }

  /** Environment variables of every job (a job's own environment overrides them per key). */
  public T environment(Map<String, String> environment) {
    Map<String, String> copy = new LinkedHashMap<>();
    environment.forEach((k, v) -> {
      if (k == null || !k.matches("[A-Za-z_][A-Za-z0-9_]*") || v == null) {
        throw new IllegalArgumentException("environment entry " + k + "=" + v
            + " is not a variable name (letters, digits, _) and a value");
      }
      copy.put(k, v);
    });
    set(r -> r.environment(copy));
    return self();
  }

  /** Whether the function becomes READY after its build (true) or STOPPED (false). */
  public T autoStart(boolean autoStart) {
    set(r -> r.autoStart(autoStart));
    return self();
  }
}
