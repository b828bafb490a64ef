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

  /** The store of logs on {@code blobs}' file system. */
  static LogStore on(BlobStore blobs) {
    return new FileLogStore(blobs);
  }

  /** Where the running attempt's log is copied as it grows (relative to Spool's root). */
  String livePath(String owner, String jobId, int attempt);

  /** Stores the final log of an attempt from a local file, replacing its live copy; returns its location. */
  String put(String owner, String jobId, int attempt, java.nio.file.Path log) throws IOException;

  /** The attempt's log; empty if there is none (it printed nothing, or its log was purged or deleted). */
  Optional<byte[]> get(String owner, String jobId, int attempt, String location) throws IOException;

  /** Deletes every attempt's log of the job. */
  void delete(String owner, String jobId) throws IOException;

  /** Deletes every log of a function's jobs. */
  void deleteFunction(String owner, String functionId) throws IOException;
}
