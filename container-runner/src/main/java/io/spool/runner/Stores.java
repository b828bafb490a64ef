package io.spool.runner;

import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.blob.Segmented;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobId;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * This executor's result and log stores: its own segments, named after its container, in its function's
 * directories, opened at the first job. {@link #flush()} makes everything stored so far readable and durable.
 */
final class Stores implements Flushable, Closeable {

  private final BlobStore blobs;
  private final String segment;
  private final long segmentMaxBytes;
  private final long segmentMaxAgeMillis;
  private final long ownFileBytes;
  private final int inlineMax;
  private String owner;
  private Segmented<ResultStore> results;
  private Segmented<LogStore> logs;

  Stores(BlobStore blobs, String segment, long segmentMaxBytes, long segmentMaxAgeMillis, long ownFileBytes,
      int inlineMax) {
    this.blobs = blobs;
    this.segment = segment;
    this.segmentMaxBytes = segmentMaxBytes;
    this.segmentMaxAgeMillis = segmentMaxAgeMillis;
    this.ownFileBytes = ownFileBytes;
    this.inlineMax = inlineMax;
  }

  /** The stores of the executor in {@code container}, sized by the client's configuration. */
  static Stores of(BlobStore blobs, Configuration conf, String container) {
    return new Stores(blobs, container,
        conf.getLong(SpoolConfig.SEGMENT_MAX_BYTES, SpoolConfig.SEGMENT_MAX_BYTES_DEFAULT),
        conf.getLong(SpoolConfig.SEGMENT_MAX_AGE_MS, SpoolConfig.SEGMENT_MAX_AGE_MS_DEFAULT),
        conf.getLong(SpoolConfig.RESULT_OWN_FILE_BYTES, SpoolConfig.RESULT_OWN_FILE_BYTES_DEFAULT),
        conf.getInt(SpoolConfig.RESULT_INLINE_MAX_BYTES, SpoolConfig.RESULT_INLINE_MAX_BYTES_DEFAULT));
  }

  /** Names the owner of the jobs to come (the master's welcome says it). */
  synchronized Stores owner(String owner) {
    this.owner = owner;
    return this;
  }

  synchronized ResultStore results(String jobId) {
    open(jobId);
    return results.store();
  }

  synchronized LogStore logs(String jobId) {
    open(jobId);
    return logs.store();
  }

  private void open(String jobId) {
    if (results == null) {
      String fid = JobId.functionId(jobId);
      results = ResultStore.writer(blobs, owner, fid, segment, segmentMaxBytes, segmentMaxAgeMillis, ownFileBytes,
          inlineMax);
      logs = LogStore.writer(blobs, owner, fid, segment, segmentMaxBytes, segmentMaxAgeMillis);
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    if (results != null) {
      results.flush();
      logs.flush();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (results != null) {
      try {
        results.close();
      } finally {
        logs.close();
      }
    }
  }
}
