package io.spool.core.blob;

import io.spool.core.model.JobId;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;

/**
 * Results as files of their own: {@code users/<owner>/results/<fid>/<jobId>}, metadata in the file's extended
 * attribute or a side file ({@link BlobStore#writeResult}). The location is {@value #LOCATION}: the path follows
 * from the owner and the job.
 */
final class FileResultStore implements ResultStore {

  /** The location of a result in a file of its own. */
  static final String LOCATION = "f";

  private final BlobStore blobs;

  FileResultStore(BlobStore blobs) {
    this.blobs = blobs;
  }

  static String path(String owner, String jobId) {
    return BlobStore.resultsDir(owner, JobId.functionId(jobId)) + "/" + jobId;
  }

  @Override
  public String put(String owner, String jobId, java.nio.file.Path data, BlobMetadata metadata, boolean firstAttempt)
      throws IOException {
    blobs.writeResult(path(owner, jobId), data, metadata, !firstAttempt);
    return LOCATION;
  }

  @Override
  public Optional<byte[]> get(String owner, String jobId, String location) throws IOException {
    checkLocation(location);
    return blobs.read(path(owner, jobId));
  }

  @Override
  public Optional<InputStream> open(String owner, String jobId, String location) throws IOException {
    checkLocation(location);
    try {
      return Optional.of(blobs.fileSystem().open(blobs.resolve(path(owner, jobId))));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<Entry> find(String owner, String jobId) throws IOException {
    try {
      FileStatus status = blobs.fileSystem().getFileStatus(blobs.resolve(path(owner, jobId)));
      return Optional.of(entry(owner, jobId, status));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<BlobMetadata> metadata(String owner, String jobId) throws IOException {
    return blobs.resultMetadata(path(owner, jobId));
  }

  @Override
  public Stream<Entry> list(String owner, String functionId, String namePrefix) throws IOException {
    List<String> functions = new ArrayList<>();
    for (FileStatus dir : blobs.listBlobs(BlobStore.results(owner))) {
      String fid = dir.getPath().getName();
      if (dir.isDirectory() && (functionId == null || functionId.equals(fid)) && couldMatch(fid, namePrefix)) {
        functions.add(fid);
      }
    }
    return functions.stream().flatMap(fid -> entries(owner, fid, namePrefix).stream());
  }

  private List<Entry> entries(String owner, String fid, String namePrefix) {
    List<Entry> entries = new ArrayList<>();
    try {
      for (FileStatus file : blobs.listBlobs(BlobStore.resultsDir(owner, fid))) {
        String jobId = file.getPath().getName();
        if (file.isFile() && isJobOf(fid, jobId) && (fid + "/" + jobId).startsWith(namePrefix)) {
          entries.add(entry(owner, jobId, file));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list the results of function " + fid + ": " + e.getMessage(), e);
    }
    entries.sort(java.util.Comparator.comparingLong(e -> JobId.number(e.jobId())));
    return entries;
  }

  private static boolean isJobOf(String fid, String name) {
    try {
      return JobId.functionId(name).equals(fid);
    } catch (IllegalArgumentException notAJob) {
      return false;
    }
  }

  /** Whether names under function {@code fid} can start with the prefix. */
  private static boolean couldMatch(String fid, String prefix) {
    String dir = fid + "/";
    return dir.startsWith(prefix) || prefix.startsWith(dir);
  }

  private static Entry entry(String owner, String jobId, FileStatus status) {
    return new Entry(owner, jobId, LOCATION, path(owner, jobId), status.getLen(), Instant.ofEpochMilli(status.getModificationTime()));
  }

  @Override
  public boolean delete(String owner, String jobId) throws IOException {
    return blobs.deleteResult(path(owner, jobId));
  }

  @Override
  public void deleteFunction(String owner, String functionId) throws IOException {
    blobs.delete(BlobStore.resultsDir(owner, functionId), true);
  }

  private static void checkLocation(String location) {
    if (location != null && !LOCATION.equals(location)) {
      throw new IllegalArgumentException("unknown result location '" + location + "'");
    }
  }
}
