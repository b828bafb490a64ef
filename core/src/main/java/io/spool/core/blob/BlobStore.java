package io.spool.core.blob;

import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobId;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Spool's data on the cluster's file system, under a configurable root:
 *
 * <pre>
 * root/users/&lt;owner&gt;/functions/&lt;fid&gt;/bundle.zip     the function's bundle (and later its build log, large args)
 * root/users/&lt;owner&gt;/results/&lt;fid&gt;/&lt;jobId&gt;          a job's result blob
 * root/users/&lt;owner&gt;/logs/&lt;fid&gt;/&lt;jobId&gt;/&lt;attempt&gt;  a job attempt's log
 * root/lib/spool-&lt;sha&gt;.jar                          the distribution jar masters and executors run from
 * root/envs/&lt;hash&gt;.tgz                             built environments, content-addressed
 * </pre>
 *
 * Per-user directories are 0700. Paths stored in ZooKeeper are relative to the root, so the file system's address
 * may change (the embedded cluster picks new ports on every start).
 */
public final class BlobStore {

  private static final FsPermission PRIVATE = new FsPermission((short) 0700);

  private final FileSystem fs;
  private final Path root;

  public BlobStore(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = fs.makeQualified(root);
  }

  /** The store on the configured default file system and root. */
  public static BlobStore open(Configuration conf) throws IOException {
    return new BlobStore(FileSystem.get(conf), new Path(conf.getTrimmed(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT)));
  }

  public FileSystem fileSystem() {
    return fs;
  }

  public Path root() {
    return root;
  }

  /** A root-relative path made absolute. */
  public Path resolve(String relative) {
    return new Path(root, relative);
  }

  public static String userDir(String owner) {
    return "users/" + owner;
  }

  public static String functionDir(String owner, String fid) {
    return userDir(owner) + "/functions/" + fid;
  }

  public static String bundle(String owner, String fid) {
    return functionDir(owner, fid) + "/bundle.zip";
  }

  public static String buildLog(String owner, String fid) {
    return functionDir(owner, fid) + "/build.log";
  }

  public static String builtBundle(String owner, String fid) {
    return functionDir(owner, fid) + "/bundle-built.zip";
  }

  public static String buildResult(String owner, String fid) {
    return functionDir(owner, fid) + "/build-result.json";
  }

  public static String environment(String hash) {
    return "envs/" + hash + ".tgz";
  }

  public static String resultsDir(String owner, String fid) {
    return userDir(owner) + "/results/" + fid;
  }

  public static String logsDir(String owner, String fid) {
    return userDir(owner) + "/logs/" + fid;
  }

  public static String result(String owner, String jobId) {
    return resultsDir(owner, JobId.functionId(jobId)) + "/" + jobId;
  }

  public static String log(String owner, String jobId, int attempt) {
    return logs(owner, jobId) + "/" + attempt;
  }

  public static String logs(String owner, String jobId) {
    return logsDir(owner, JobId.functionId(jobId)) + "/" + jobId;
  }

  /** Makes the owner's directory (0700) if it is missing. */
  public void ensureUserDir(String owner) throws IOException {
    Path dir = resolve(userDir(owner));
    if (!fs.exists(dir)) {
      fs.mkdirs(dir, PRIVATE);
      fs.setPermission(dir, PRIVATE);
    }
  }

  /** Writes {@code data} to a root-relative path, replacing what was there. */
  public void write(String relative, byte[] data) throws IOException {
    try (FSDataOutputStream out = fs.create(resolve(relative), true)) {
      out.write(data);
    }
  }

  /** Copies a local file to a root-relative path, replacing what was there. */
  public void upload(java.nio.file.Path local, String relative) throws IOException {
    try (FSDataOutputStream out = fs.create(resolve(relative), true)) {
      java.nio.file.Files.copy(local, out);
    }
  }

  /** The bytes at a root-relative path, or empty if there is no file. */
  public Optional<byte[]> read(String relative) throws IOException {
    try (InputStream in = fs.open(resolve(relative))) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      in.transferTo(buffer);
      return Optional.of(buffer.toByteArray());
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Streams the file at a root-relative path into {@code out}; false if there is no file. */
  public boolean copyTo(String relative, OutputStream out) throws IOException {
    try (InputStream in = fs.open(resolve(relative))) {
      in.transferTo(out);
      return true;
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  public boolean exists(String relative) throws IOException {
    return fs.exists(resolve(relative));
  }

  public boolean delete(String relative, boolean recursive) throws IOException {
    return fs.delete(resolve(relative), recursive);
  }
}
