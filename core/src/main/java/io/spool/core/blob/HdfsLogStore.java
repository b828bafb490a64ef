package io.spool.core.blob;

import io.spool.core.model.JobId;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Logs on the cluster's file system, in {@code users/<owner>/logs/<fid>/}: a running attempt's live copy in a file
 * of its own ({@code <jobId>/<attempt>}), and final logs in segments that executors append to ({@link Segment}),
 * or, from a store without segments, in the live copy's place (location {@value #FILE}). A segment goes when its
 * retention has passed ({@link LogPurge}) or with its function; a deleted job's log in a segment can no longer be
 * reached (the job's record named it) and goes with its segment.
 */
final class HdfsLogStore implements LogStore {

  /** The location of a log in a file of its own. */
  static final String FILE = "f";

  private final BlobStore blobs;
  private final Segment.Writer writer;
  private final SegmentReader reader;

  HdfsLogStore(BlobStore blobs, Segment.Writer writer) {
    this.blobs = blobs;
    this.writer = writer;
    this.reader = new SegmentReader(blobs, false);
  }

  static String dir(String owner, String fid) {
    return BlobStore.logsDir(owner, fid);
  }

  static String jobDir(String owner, String jobId) {
    return dir(owner, JobId.functionId(jobId)) + "/" + jobId;
  }

  static String path(String owner, String jobId, int attempt) {
    return jobDir(owner, jobId) + "/" + attempt;
  }

  @Override
  public String livePath(String owner, String jobId, int attempt) {
    return path(owner, jobId, attempt);
  }

  @Override
  public String put(String owner, String jobId, int attempt, java.nio.file.Path log, boolean liveCopied)
      throws IOException {
    if (writer == null) {
      blobs.upload(log, livePath(owner, jobId, attempt));
      return FILE;
    }
    String location = writer.append(jobId, java.nio.file.Files.readAllBytes(log), Map.of("attempt", attempt), 0)
        .toString();
    if (liveCopied) {
      blobs.delete(jobDir(owner, jobId), true);
    }
    return location;
  }

  @Override
  public Optional<byte[]> get(String owner, String jobId, int attempt, String location) throws IOException {
    Optional<Segment.Location> segment = Segment.Location.parse(location);
    if (segment.isPresent()) {
      Segment.Location at = segment.get();
      return reader.read(dir(owner, JobId.functionId(jobId)) + "/" + Segment.DIR + "/" + at.segment(), at.offset(),
          at.length());
    }
    if (location != null && !FILE.equals(location)) {
      throw new IllegalArgumentException("unknown log location '" + location + "'");
    }
    return blobs.read(livePath(owner, jobId, attempt));
  }

  @Override
  public void delete(String owner, String jobId) throws IOException {
    blobs.delete(jobDir(owner, jobId), true);
  }

  @Override
  public void delete(String owner, java.util.Collection<String> jobIds) throws IOException {
    java.util.Map<String, java.util.Set<String>> live = new java.util.HashMap<>();
    for (String jobId : jobIds) {
      String fid = JobId.functionId(jobId);
      java.util.Set<String> present = live.get(fid);
      if (present == null) {
        present = new java.util.HashSet<>();
        for (org.apache.hadoop.fs.FileStatus entry : blobs.listBlobs(dir(owner, fid))) {
          present.add(entry.getPath().getName());
        }
        live.put(fid, present);
      }
      if (present.contains(jobId)) {
        delete(owner, jobId);
      }
    }
  }

  @Override
  public void deleteFunction(String owner, String functionId) throws IOException {
    blobs.delete(dir(owner, functionId), true);
    reader.forgetUnder(dir(owner, functionId));
  }
}
