package io.spool.core.blob;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.security.AccessControlException;

/**
 * Deletes the job logs that are older than a retention, and the log directories that this leaves empty.
 *
 * <p>Only files under {@code users/<owner>/logs/<fid>/<jobId>/} (live copies and logs of their own) and
 * {@code users/<owner>/logs/<fid>/segments/} (many jobs' logs, and their indexes: see {@link LogStore}) are ever
 * deleted, by their own modification time, and never a segment that an executor still writes;
 * results and everything else of an owner are never touched. A purge lists each function's and each job's log
 * directory once (a directory's listing carries its entries' modification times, so nothing is asked about a file
 * on its own); a job directory cannot be skipped by its own modification time, since a young directory may hold an
 * old attempt. A file or directory that vanishes meanwhile (its job or function was deleted) is not an error.
 *
 * <p>{@link #purgeIfDue} rate-limits the purges of one owner across processes with a marker file,
 * {@code users/<owner>/logs/}{@value #MARKER}, whose modification time is the owner's last purge.
 */
public final class LogPurge {

  /** Name of the marker in an owner's logs directory whose modification time is that owner's last purge. */
  public static final String MARKER = ".purged";

  /**
   * What a purge deleted, or in a dry run would delete.
   *
   * @param cutoff logs last modified before this instant were purged
   * @param filesDeleted log files deleted
   * @param bytesFreed their total length
   * @param directoriesRemoved job and function log directories removed because the purge left them empty
   * @param ownersVisited owners whose logs were looked at
   * @param ownersSkipped owners whose logs could not be read (permission denied), in an all-owners purge
   */
  public record Result(Instant cutoff, long filesDeleted, long bytesFreed, long directoriesRemoved, int ownersVisited,
      List<String> ownersSkipped) {

    public Result {
      ownersSkipped = List.copyOf(ownersSkipped);
    }
  }

  private final BlobStore blobs;
  private final FileSystem fs;
  private final Duration retention;
  private final Clock clock;
  private final boolean dryRun;

  private LogPurge(BlobStore blobs, Duration retention, Clock clock, boolean dryRun) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("the log retention must be positive, not " + retention);
    }
    this.blobs = blobs;
    this.fs = blobs.fileSystem();
    this.retention = retention;
    this.clock = clock;
    this.dryRun = dryRun;
  }

  /** A purge that deletes the logs last modified more than {@code retention} before {@code clock}'s now. */
  public static LogPurge deleting(BlobStore blobs, Duration retention, Clock clock) {
    return new LogPurge(blobs, retention, clock, false);
  }

  /** A purge that changes nothing, not even the marker, and reports what {@link #deleting} would delete. */
  public static LogPurge dryRun(BlobStore blobs, Duration retention, Clock clock) {
    return new LogPurge(blobs, retention, clock, true);
  }

  /** The marker of an owner's last purge, relative to Spool's root. */
  public static String marker(String owner) {
    return BlobStore.ownerLogs(checkOwner(owner)) + "/" + MARKER;
  }

  /** Purges one owner's logs. */
  public Result purge(String owner) throws IOException {
    Tally tally = new Tally(cutoff());
    purgeOwner(owner, tally);
    return tally.result();
  }

  /**
   * Purges the logs of every owner under Spool's root. An owner whose logs this user may not read is skipped and
   * named in the result.
   */
  public Result purgeAll() throws IOException {
    Tally tally = new Tally(cutoff());
    for (Listing users = list(blobs.resolve(BlobStore.USERS)); users.hasNext(); ) {
      FileStatus user = users.next();
      if (user.isDirectory()) {
        String owner = user.getPath().getName();
        try {
          purgeOwner(owner, tally);
        } catch (AccessControlException denied) {
          tally.skipped.add(owner);
        }
      }
    }
    return tally.result();
  }

  /**
   * Purges one owner's logs unless another purge of them started less than {@code interval} ago; empty if it did
   * not purge. The marker is touched before the purge, so that processes that look at it meanwhile leave the purge
   * to this one.
   */
  public Optional<Result> purgeIfDue(String owner, Duration interval) throws IOException {
    Path logs = blobs.resolve(BlobStore.ownerLogs(checkOwner(owner)));
    Path marker = new Path(logs, MARKER);
    long now = clock.millis();
    try {
      if (now - fs.getFileStatus(marker).getModificationTime() < interval.toMillis()) {
        return Optional.empty();
      }
    } catch (FileNotFoundException none) {
      if (!fs.exists(logs)) {
        // nothing to purge; a marker would create the owner's directories with the wrong permissions
        return Optional.empty();
      }
    }
    if (!dryRun && !touch(marker, now)) {
      return Optional.empty();
    }
    return Optional.of(purge(owner));
  }

  /** Sets the marker's modification time; false if another process created it just now. */
  private boolean touch(Path marker, long now) throws IOException {
    if (!fs.exists(marker)) {
      try {
        fs.create(marker, false).close();
      } catch (FileAlreadyExistsException raced) {
        return false;
      }
    }
    fs.setTimes(marker, now, -1);
    return true;
  }

  private Instant cutoff() {
    return clock.instant().minus(retention);
  }

  private void purgeOwner(String owner, Tally tally) throws IOException {
    Path logs = blobs.resolve(BlobStore.ownerLogs(checkOwner(owner)));
    for (Listing functions = list(logs); functions.hasNext(); ) {
      FileStatus function = functions.next();
      if (function.isDirectory()) {
        purgeDirectory(function.getPath(), tally, true);
      }
    }
    tally.owners++;
  }

  /**
   * Purges a function's log directory (its entries are job directories) or a job's (its entries are attempt
   * files), and removes it if that leaves it empty; true if it is removed.
   */
  private boolean purgeDirectory(Path dir, Tally tally, boolean ofFunction) throws IOException {
    long left = 0;
    long removed = 0;
    for (Listing entries = list(dir); entries.hasNext(); ) {
      FileStatus entry = entries.next();
      boolean gone = ofFunction
          ? entry.isDirectory() && purgeDirectory(entry.getPath(), tally, false)
          : entry.isFile() && entry.getModificationTime() < tally.cutoffMillis && deleteFile(entry, tally);
      if (gone) {
        removed++;
      } else {
        left++;
      }
    }
    if (left > 0 || removed == 0 || !removeEmptyDirectory(dir)) {
      return false;
    }
    tally.directories++;
    return true;
  }

  private boolean deleteFile(FileStatus file, Tally tally) throws IOException {
    if (!blobs.isClosed(blobs.relativize(file.getPath()))) {
      return false; // a segment an executor still appends to: its entries are young
    }
    if (!dryRun && !fs.delete(file.getPath(), false)) {
      return false;
    }
    tally.files++;
    tally.bytes += file.getLen();
    return true;
  }

  /** Removes a directory unless something was written to it since it was listed. */
  private boolean removeEmptyDirectory(Path dir) throws IOException {
    if (dryRun) {
      return true;
    }
    try {
      return fs.delete(dir, false);
    } catch (PathIsNotEmptyDirectoryException written) {
      return false;
    }
  }

  private Listing list(Path dir) throws IOException {
    try {
      return new Listing(fs.listStatusIterator(dir));
    } catch (FileNotFoundException gone) {
      return new Listing(null);
    }
  }

  /**
   * A directory's entries, read a batch at a time as they are asked for (a function's log directory may hold many
   * thousands of jobs); none if the directory does not exist, and no more if it vanishes meanwhile.
   */
  private static final class Listing {
    private RemoteIterator<FileStatus> batches;

    Listing(RemoteIterator<FileStatus> batches) {
      this.batches = batches;
    }

    boolean hasNext() throws IOException {
      try {
        return batches != null && batches.hasNext();
      } catch (FileNotFoundException gone) {
        batches = null;
        return false;
      }
    }

    FileStatus next() throws IOException {
      return batches.next();
    }
  }

  /** An owner's name as one path component, so that a purge never leaves the owner's directory. */
  private static String checkOwner(String owner) {
    if (owner == null || owner.isEmpty() || owner.contains("/") || owner.equals(".") || owner.equals("..")) {
      throw new IllegalArgumentException("'" + owner + "' is not an owner's name");
    }
    return owner;
  }

  /** The counts of one purge as it goes. */
  private static final class Tally {
    final Instant cutoff;
    final long cutoffMillis;
    long files;
    long bytes;
    long directories;
    int owners;
    final List<String> skipped = new ArrayList<>();

    Tally(Instant cutoff) {
      this.cutoff = cutoff;
      this.cutoffMillis = cutoff.toEpochMilli();
    }

    Result result() {
      return new Result(cutoff, files, bytes, directories, owners, skipped);
    }
  }
}
