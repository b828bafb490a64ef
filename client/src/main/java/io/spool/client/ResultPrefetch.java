package io.spool.client;

import io.spool.core.model.JobRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;

/**
 * Reads the results of a stream of successful jobs a bounded window ahead of its consumer, on the connection's I/O
 * threads: memory holds at most {@value #WINDOW} results besides the one being consumed.
 */
final class ResultPrefetch<T> implements Iterator<JobResult<T>> {

  private static final int WINDOW = 32;

  private final Spool spool;
  private final String owner;
  private final Iterator<Job> jobs;
  private final BiFunction<JobRecord, byte[], T> decode;
  private final Deque<CompletableFuture<JobResult<T>>> window = new ArrayDeque<>();
  private volatile boolean closed;

  ResultPrefetch(Spool spool, String owner, Iterator<Job> jobs, BiFunction<JobRecord, byte[], T> decode) {
    this.spool = spool;
    this.owner = owner;
    this.jobs = jobs;
    this.decode = decode;
  }

  @Override
  public boolean hasNext() {
    fill();
    return !window.isEmpty();
  }

  @Override
  public JobResult<T> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    try {
      return window.poll().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  void close() {
    closed = true;
    window.forEach(f -> f.cancel(false));
    window.clear();
  }

  private void fill() {
    while (!closed && window.size() < WINDOW && jobs.hasNext()) {
      Job job = jobs.next().owner(owner);
      JobRecord record = job.record();
      window.add(CompletableFuture.supplyAsync(() -> new JobResult<>(job, decode.apply(record, read(record))),
          spool.ioPool()));
    }
  }

  private byte[] read(JobRecord job) {
    if (job.resultKind() == null) {
      return null;
    }
    try {
      return spool.results().get(owner, job.id(), job.resultLocation()).orElseThrow(() ->
          new IllegalStateException("the result blob of job " + job.id() + " is missing (deleted?)"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the result of job " + job.id() + ": " + e.getMessage(), e);
    }
  }
}
