package io.spool.core.blob;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the logs of jobs' attempts are kept. A running attempt's log is copied as it grows to its live place
 * ({@link #livePath}), where followers read it; its final log is put once the attempt has ended and read back by
 * the location that {@link #put} returned, which the job's record keeps. Logs are kept for a retention
 * ({@link LogPurge}) and deleted with their job or function.
 *
 * <p>A location of {@code null} stands for an attempt whose final log the record does not name: one written before
 * logs had locations, or one whose executor was lost. Stores then read what the live copy left.
 */
public interface LogStore {

  /** The store of logs on {@code blobs}' file system; what it puts goes to files of their own. */
  static LogStore on(BlobStore blobs) {
    return new HdfsLogStore(blobs, null);
  }

  /**
   * The store of one executor: it puts final logs in its own segments, named after {@code segment}, in the
   * function's logs directory. {@link Segmented#flush()} makes what it put readable and durable: call it before
   * reporting the attempts whose logs it put.
   */
  static Segmented<LogStore> writer(BlobStore blobs, String owner, String functionId, String segment,
      long segmentMaxBytes, long segmentMaxAgeMillis) {
    Segment.Writer writer = new Segment.Writer(blobs, HdfsLogStore.dir(owner, functionId), segment, segmentMaxBytes,
        segmentMaxAgeMillis);
    return new Segmented<>(new HdfsLogStore(blobs, writer), writer);
  }


  /** Where the running attempt's log is copied as it grows (relative to Spool's root). */
  String livePath(String owner, String jobId, int attempt);

  /**
   * Stores the final log of an attempt from a local file; returns its location. Its live copy, if
   * {@code liveCopied}, is replaced or removed.
   */
  String put(String owner, String jobId, int attempt, java.nio.file.Path log, boolean liveCopied)
      throws IOException;

  /** The attempt's log; empty if there is none (it printed nothing, or its log was purged or deleted). */
  Optional<byte[]> get(String owner, String jobId, int attempt, String location) throws IOException;

  /** Deletes every attempt's log of the job. */
  void delete(String owner, String jobId) throws IOException;

  /** Deletes every attempt's log of these jobs (with a few calls to the file system, not one per job). */
  void delete(String owner, java.util.Collection<String> jobIds) throws IOException;

  /** Deletes every log of a function's jobs. */
  void deleteFunction(String owner, String functionId) throws IOException;
}
