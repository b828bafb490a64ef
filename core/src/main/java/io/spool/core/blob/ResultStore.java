package io.spool.core.blob;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where jobs' results are kept. A result is put once per successful attempt and read back by the location that
 * {@link #put} returned, which the job's record keeps; nothing outside a store knows how its results are laid out.
 * Results belong to their owner's namespace and outlive their job and their function until they are deleted.
 *
 * <p>A location of {@code null} stands for a record written before results had locations; stores read it as the
 * place such records used.
 */
public interface ResultStore {

  /** The store of results on {@code blobs}' file system; what it puts goes to files of their own. */
  static ResultStore on(BlobStore blobs) {
    return new HdfsResultStore(blobs);
  }

  /**
   * The store of one executor: it puts results of at most {@code ownFileBytes} in its own segments, named after
   * {@code segment}, in the function's results directory (those of at most {@code inlineMax} bytes inline in their
   * location too), and larger ones in files of their own. {@link Segmented#flush()} makes what it put readable and
   * durable: call it before reporting the jobs whose results it put.
   */
  static Segmented<ResultStore> writer(BlobStore blobs, String owner, String functionId, String segment,
      long segmentMaxBytes, long segmentMaxAgeMillis, long ownFileBytes, int inlineMax) {
    Segment.Writer writer = new Segment.Writer(blobs, HdfsResultStore.dir(owner, functionId), segment,
        segmentMaxBytes, segmentMaxAgeMillis);
    return new Segmented<>(new HdfsResultStore(blobs, writer, ownFileBytes, inlineMax), writer);
  }


  /**
   * A stored result as a listing sees it.
   *
   * @param owner whose namespace it is in
   * @param jobId the job whose result it is
   * @param location where it is, as {@link #put} returned it
   * @param file the file that holds its bytes, relative to Spool's root
   * @param size bytes stored
   * @param stored when it was stored
   */
  record Entry(String owner, String jobId, String location, String file, long size, Instant stored) {
    /** {@code <functionId>/<jobId>}, the result's name in its owner's namespace. */
    public String name() {
      return io.spool.core.model.JobId.functionId(jobId) + "/" + jobId;
    }
  }

  /**
   * Stores the result of an attempt of {@code jobId} from a local file, with its metadata, replacing any earlier
   * result of the job; returns its location.
   *
   * @param firstAttempt true if no result of this job was ever stored (which spares a clean-up)
   */
  String put(String owner, String jobId, java.nio.file.Path data, BlobMetadata metadata, boolean firstAttempt)
      throws IOException;

  /** The result's bytes; empty if there is none (it was deleted). */
  Optional<byte[]> get(String owner, String jobId, String location) throws IOException;

  /** The result's bytes as a stream, which the caller closes; empty if there is none. */
  Optional<InputStream> open(String owner, String jobId, String location) throws IOException;

  /**
   * The job's stored result, at {@code location} or, if that is null, wherever it is (a look-up without the job's
   * record, which costs more); empty if there is none.
   */
  Optional<Entry> find(String owner, String jobId, String location) throws IOException;

  /** The metadata stored with the job's result ({@code location} as for {@link #find}); empty if there is none. */
  Optional<BlobMetadata> metadata(String owner, String jobId, String location) throws IOException;

  /**
   * The owner's results, function by function and in job order within a function: of every function, or of
   * {@code functionId} alone; only those whose name starts with {@code namePrefix} ("" for all).
   */
  Stream<Entry> list(String owner, String functionId, String namePrefix) throws IOException;

  /** Deletes the job's result; false if there was none. */
  boolean delete(String owner, String jobId) throws IOException;

  /** Deletes the results of these jobs; returns how many there were. */
  int delete(String owner, java.util.Collection<String> jobIds) throws IOException;

  /** Deletes every result of a function. */
  void deleteFunction(String owner, String functionId) throws IOException;

  /** Removes what deleted results left behind (segments none of whose results is kept); returns how many. */
  int compact(String owner, String functionId) throws IOException;
}
