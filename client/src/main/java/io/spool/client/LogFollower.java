package io.spool.client;

import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobRecord;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * The lines of a job's log as they are written: the runner copies a running attempt's log to the file system every
 * {@value SpoolConfig#LOG_FLUSH_INTERVAL_MS} (a few seconds), and this reads what is new, until the job has ended
 * and its last attempt's final log has been read. A retry's attempt follows its predecessor's, after a marker line.
 */
final class LogFollower implements Iterator<String> {

  private final Job job;
  private final String owner;
  private final boolean timestamps;
  private final long pollMs;
  private final Deque<String> lines = new ArrayDeque<>();
  private final Semaphore changed = new Semaphore(0);
  private final Runnable signal = changed::release;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private int attempt;
  private long offset;
  private boolean ended;

  LogFollower(Job job, String owner, boolean timestamps) {
    this.job = job;
    this.owner = owner;
    this.timestamps = timestamps;
    long flush = job.spool().configuration().getLong(SpoolConfig.LOG_FLUSH_INTERVAL_MS,
        SpoolConfig.LOG_FLUSH_INTERVAL_MS_DEFAULT);
    this.pollMs = Math.max(100, Math.min(1_000, flush / 2));
  }

  @Override
  public boolean hasNext() {
    try {
      while (lines.isEmpty() && !ended) {
        changed.drainPermits();
        JobRecord record = job.watch(signal);
        boolean terminal = record.status().isTerminal();
        int latest = record.executionCount();
        if (attempt == 0 && latest > 0) {
          attempt = 1;
        }
        if (attempt > 0 && attempt < latest) {
          readFinished(attempt, record);
          flushPartial(); // a finished attempt's log is whole: the runner stores it before it reports the end
          attempt++;
          offset = 0;
          lines.add("[spool] attempt " + attempt + " of job " + job.id());
          continue;
        }
        if (terminal) {
          readFinished(Math.max(attempt, 1), record);
          flushPartial();
          ended = true;
        } else if (attempt > 0) {
          readLive(attempt);
        }
        if (!ended && lines.isEmpty()) {
          changed.tryAcquire(pollMs, TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while following the log of job " + job.id(), e);
    }
    return !lines.isEmpty();
  }

  @Override
  public String next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return lines.poll();
  }

  /** Reads the rest of an ended attempt's final log from where the live copy left off. */
  private void readFinished(int n, JobRecord record) {
    byte[] log;
    try {
      log = job.spool().logs().get(owner, job.id(), n, record.logLocation(n)).orElse(new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of job " + job.id() + ": " + e.getMessage(), e);
    }
    if (log.length < offset) {
      offset = 0;
      partial.reset();
    }
    take(log, (int) offset, log.length - (int) offset);
  }

  /** Reads what was added to a running attempt's live log since the last read; one rewritten shorter restarts. */
  private void readLive(int n) {
    BlobStore blobs = job.spool().blobs();
    FileSystem fs = blobs.fileSystem();
    Path path = blobs.resolve(job.spool().logs().livePath(owner, job.id(), n));
    try (FSDataInputStream in = fs.open(path)) {
      long length = fs.getFileStatus(path).getLen();
      if (length < offset) {
        if (beingWritten(fs, path)) {
          return; // the runner is replacing its copy: shorter only until it is whole, read it then
        }
        offset = 0;
        partial.reset();
      }
      in.seek(offset);
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
        take(buffer, 0, read);
      }
    } catch (FileNotFoundException notYet) {
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of job " + job.id() + ": " + e.getMessage(), e);
    }
  }

  /** Takes {@code length} more bytes of the attempt's log: complete lines go to the queue. */
  private void take(byte[] bytes, int from, int length) {
    offset += length;
    for (int i = from; i < from + length; i++) {
      if (bytes[i] == '\n') {
        flushPartial();
      } else {
        partial.write(bytes[i]);
      }
    }
  }

  /** Whether the file is open for writing (HDFS shows such a file without its last block's bytes). */
  private static boolean beingWritten(FileSystem fs, Path path) throws IOException {
    return fs instanceof DistributedFileSystem dfs && !dfs.isFileClosed(path);
  }

  private void flushPartial() {
    if (partial.size() > 0) {
      lines.add(LogText.format(partial.toString(StandardCharsets.UTF_8), timestamps));
      partial.reset();
    }
  }
}
