package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Python worker with a bundle of test jobs, and bounded waits on what the jobs do. */
final class TestJobs {

  static final String PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3";
  /** The entrypoint: {@code call(name, *args)} calls {@code jobs.<name>(*args)}. */
  static final String ENTRYPOINT = "dispatch:call";
  static final Duration SAMPLE_PERIOD = Duration.ofMillis(100);

  private static final String JOBS = String.join("\n",
      "import os, subprocess, sys, time",
      "from spool import ComputeResult",
      "",
      "def burn(seconds):",
      "    end = time.process_time() + seconds",
      "    while time.process_time() < end:",
      "        pass",
      "    return 'burned'",
      "",
      "def allocate(mib, seconds):",
      "    b = bytearray(mib * 1024 * 1024)",
      "    time.sleep(seconds)",
      "    return len(b)",
      "",
      "def child_allocates(mib, seconds, pid_file):",
      "    code = 'x = bytearray(%d * 1024 * 1024); import time; time.sleep(%d)' % (mib, seconds)",
      "    child = subprocess.Popen([sys.executable, '-c', code])",
      "    write_pid(pid_file, child.pid)",
      "    child.wait()",
      "",
      "def sleep(seconds, pid_file=None):",
      "    print('sleeping %s s' % seconds, flush=True)",
      "    if pid_file:",
      "        write_pid(pid_file, os.getpid())",
      "    time.sleep(seconds)",
      "    return 'woke up'",
      "",
      "def sleep_with_grandchild(seconds, pid_file):",
      "    grandchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(%d)' % seconds])",
      "    write_pid(pid_file, '%d %d' % (os.getpid(), grandchild.pid))",
      "    time.sleep(seconds)",
      "",
      "def echo(x):",
      "    return x",
      "",
      "def annotated(i):",
      "    return ComputeResult({'i': i}, description='tile %d' % i, tags=['tile'],",
      "                         expires='2031-01-02T03:04:05Z', extra_properties={'row': i, 'label': 't'},",
      "                         geometry={'type': 'Point', 'coordinates': [i, 1]})",
      "",
      "def chatty(lines):",
      "    for i in range(lines):",
      "        print('line %06d' % i)",
      "    return lines",
      "",
      "def write_pid(path, pid):",
      "    with open(path + '.partial', 'w') as f:",
      "        f.write(str(pid))",
      "    os.rename(path + '.partial', path)",
      "");

  private TestJobs() {}

  /** Writes the bundle under {@code dir} and starts a worker on it, with no limits on results and logs. */
  static JobExecution startWorker(Path dir) throws IOException, InterruptedException {
    return startWorker(dir, JobExecution.Limits.NONE);
  }

  /** Writes the bundle under {@code dir} and starts a worker on it. */
  static JobExecution startWorker(Path dir, JobExecution.Limits limits) throws IOException, InterruptedException {
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("jobs.py"), JOBS);
    Files.writeString(bundle.resolve("dispatch.py"),
        "import jobs\n\ndef call(name, *args):\n    return getattr(jobs, name)(*args)\n");
    Path script = PythonWorker.extract(dir.resolve("worker"));
    return JobExecution.attach(PythonWorker.start(PYTHON, script, bundle, ENTRYPOINT), ENTRYPOINT, SAMPLE_PERIOD,
        limits);
  }

  /** The arguments of a job that calls {@code jobs.<call[0]>(call[1], ...)}. */
  static ArrayNode call(Object... call) {
    ArrayNode args = JsonNodeFactory.instance.arrayNode();
    for (Object a : call) {
      if (a instanceof Integer i) {
        args.add(i);
      } else if (a instanceof Double d) {
        args.add(d);
      } else {
        args.add(String.valueOf(a));
      }
    }
    return args;
  }

  /** Waits (bounded) for a job to write a pid file, and returns what it wrote. */
  static String awaitFile(Path file) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        return Files.readString(file).trim();
      } catch (NoSuchFileException e) {
        Thread.sleep(10);
      }
    }
    throw new AssertionError("the job did not write " + file + " within 30 s");
  }

  /** Whether a process has gone (a zombie counts as gone: it holds no memory and runs nothing). */
  static boolean gone(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Waits (bounded, 30 s) until {@code condition} holds; an IOException while it is checked counts as not yet (a
   * file read while another thread rewrites it).
   */
  static void await(String what, Check condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    IOException last = null;
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what, last);
      }
      Thread.sleep(10);
    }
  }

  /** A condition that may throw while it is checked. */
  interface Check {
    boolean holds() throws IOException;
  }

  /** Waits (bounded) until a process has gone. */
  static void awaitGone(int pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!gone(pid) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(gone(pid), "process " + pid + " still runs");
  }
}
