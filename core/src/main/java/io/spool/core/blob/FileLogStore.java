package io.spool.core.blob;

import io.spool.core.model.JobId;
import java.io.IOException;
import java.util.Optional;

/**
 * Logs as files of their own, one per attempt: {@code users/<owner>/logs/<fid>/<jobId>/<attempt>}, which is also
 * where the live copy goes. The location is {@value #LOCATION}: the path follows from the owner, the job and the
 * attempt.
 */
final class FileLogStore implements LogStore {

  /** The location of a log in a file of its own. */
  static final String LOCATION = "f";

  private final BlobStore blobs;

  FileLogStore(BlobStore blobs) {
    this.blobs = blobs;
  }

  static String jobDir(String owner, String jobId) {
    return BlobStore.logsDir(owner, JobId.functionId(jobId)) + "/" + jobId;
  }

  static String path(String owner, String jobId, int attempt) {
    return jobDir(owner, jobId) + "/" + attempt;
  }

  @Override
  public String livePath(String owner, String jobId, int attempt) {
    return path(owner, jobId, attempt);
  }

  @Override
  public String put(String owner, String jobId, int attempt, java.nio.file.Path log) throws IOException {
    blobs.upload(log, livePath(owner, jobId, attempt));
    return LOCATION;
  }

  @Override
  public Optional<byte[]> get(String owner, String jobId, int attempt, String location) throws IOException {
    if (location != null && !LOCATION.equals(location)) {
      throw new IllegalArgumentException("unknown log location '" + location + "'");
    }
    return blobs.read(livePath(owner, jobId, attempt));
  }

  @Override
  public void delete(String owner, String jobId) throws IOException {
    blobs.delete(jobDir(owner, jobId), true);
  }

  @Override
  public void deleteFunction(String owner, String functionId) throws IOException {
    blobs.delete(BlobStore.logsDir(owner, functionId), true);
  }
}
