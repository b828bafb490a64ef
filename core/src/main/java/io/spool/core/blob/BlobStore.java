package io.spool.core.blob;

import io.spool.core.config.SpoolConfig;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.spool.core.json.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.XAttrSetFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Spool's data on the cluster's file system, under a configurable root:
 *
 * <pre>
 * root/users/&lt;owner&gt;/functions/&lt;fid&gt;/bundle.zip     the function's bundle (and later its build log, large args)
 * root/users/&lt;owner&gt;/results/...                  jobs' results: the {@link ResultStore}'s alone
 * root/users/&lt;owner&gt;/logs/...                     jobs' logs: the {@link LogStore}'s alone
 * root/lib/spool-&lt;sha&gt;.jar                          the distribution jar masters and executors run from
 * root/envs/&lt;hash&gt;.tgz                             built environments, content-addressed
 * </pre>
 *
 * Per-user directories are 0700. Paths stored in ZooKeeper are relative to the root, so the file system's address
 * may change (the embedded cluster picks new ports on every start).
 */
public final class BlobStore {

  private static final FsPermission PRIVATE = new FsPermission((short) 0700);

  /** The extended attribute that holds a result blob's {@link BlobMetadata} as JSON. */
  public static final String METADATA_XATTR = "user.spool.metadata";
  /** Suffix of the side file that holds a blob's metadata when it is too large for an extended attribute. */
  public static final String METADATA_FILE_SUFFIX = ".meta";
  /** Largest metadata kept in the extended attribute (HDFS allows 16 KiB for name and value by default). */
  private static final int XATTR_MAX_BYTES = 16 * 1024 - METADATA_XATTR.length() - 64;
  private static final byte[] IN_SIDE_FILE = "{\"sideFile\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final FileSystem fs;
  private final Path root;

  public BlobStore(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = fs.makeQualified(root);
  }

  /** The store on the configured default file system and root. */
  public static BlobStore open(Configuration conf) throws IOException {
    return new BlobStore(FileSystem.get(conf), root(conf));
  }

  /**
   * The store on a file system instance of its own, which the caller closes ({@code fileSystem().close()}): not
   * Hadoop's shared, cached one, which any other code in the same JVM may close.
   */
  public static BlobStore openPrivate(Configuration conf) throws IOException {
    return new BlobStore(FileSystem.newInstance(conf), root(conf));
  }

  private static Path root(Configuration conf) {
    return new Path(conf.getTrimmed(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT));
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

  /** The directory that holds every owner's directory. */
  public static final String USERS = "users";
  /** The directory of the built environments, shared by every owner's functions. */
  public static final String ENVS = "envs";
  /** The directory of the distribution jars that masters and executors run from, shared too. */
  public static final String LIB = "lib";

  public static String userDir(String owner) {
    return USERS + "/" + owner;
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
    return ENVS + "/" + hash + ".tgz";
  }

  /** The directory of a function's results (for the stores of this package). */
  static String resultsDir(String owner, String fid) {
    return results(owner) + "/" + fid;
  }

  /** The directory of a function's logs (for the stores of this package). */
  static String logsDir(String owner, String fid) {
    return ownerLogs(owner) + "/" + fid;
  }

  /** The directory of all of an owner's logs. */
  static String ownerLogs(String owner) {
    return userDir(owner) + "/logs";
  }

  /** The directory of all of an owner's results. */
  static String results(String owner) {
    return userDir(owner) + "/results";
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

  /**
   * Stores a result blob from a local file with its metadata, replacing what was there: the bytes, then the
   * metadata in the blob's extended attribute, or in a side file ({@code <name>.meta}) when it is too large or the
   * file system has no extended attributes.
   */
  public void writeResult(String relative, java.nio.file.Path local, BlobMetadata metadata) throws IOException {
    writeResult(relative, local, metadata, true);
  }

  /**
   * As {@link #writeResult(String, java.nio.file.Path, BlobMetadata)}; {@code mayReplace} false says that no blob was
   * ever stored at {@code relative} (a job's first attempt), which spares the removal of an earlier side file.
   */
  public void writeResult(String relative, java.nio.file.Path local, BlobMetadata metadata, boolean mayReplace)
      throws IOException {
    upload(local, relative);
    byte[] json = Json.toBytes(metadata);
    Path blob = resolve(relative);
    if (json.length <= XATTR_MAX_BYTES && setXAttr(blob, json)) {
      if (mayReplace) {
        delete(relative + METADATA_FILE_SUFFIX, false);
      }
      return;
    }
    write(relative + METADATA_FILE_SUFFIX, json);
    setXAttr(blob, IN_SIDE_FILE);
  }

  /** The metadata of the result blob at a root-relative path; empty if there is no blob or it has none. */
  public Optional<BlobMetadata> resultMetadata(String relative) throws IOException {
    byte[] json;
    try {
      json = fs.getXAttr(resolve(relative), METADATA_XATTR);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (UnsupportedOperationException | IOException noAttribute) {
      json = null;
    }
    if (json == null || java.util.Arrays.equals(json, IN_SIDE_FILE)) {
      Optional<byte[]> side = read(relative + METADATA_FILE_SUFFIX);
      if (side.isEmpty()) {
        return exists(relative) ? Optional.of(new BlobMetadata()) : Optional.empty();
      }
      json = side.get();
    }
    return Optional.of(Json.fromBytes(json, BlobMetadata.class));
  }

  private boolean setXAttr(Path blob, byte[] value) throws IOException {
    try {
      fs.setXAttr(blob, METADATA_XATTR, value, java.util.EnumSet.of(XAttrSetFlag.CREATE, XAttrSetFlag.REPLACE));
      return true;
    } catch (UnsupportedOperationException noAttributes) {
      return false;
    }
  }

  /** Deletes a result blob and its metadata side file, if any; false if there was no blob. */
  public boolean deleteResult(String relative) throws IOException {
    delete(relative + METADATA_FILE_SUFFIX, false);
    return delete(relative, false);
  }

  /**
   * The files directly under a root-relative directory, sorted by name, without metadata side files; empty if the
   * directory does not exist.
   */
  public List<FileStatus> listBlobs(String relative) throws IOException {
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(resolve(relative));
    } catch (FileNotFoundException e) {
      return List.of();
    }
    List<FileStatus> files = new ArrayList<>(statuses.length);
    for (FileStatus s : statuses) {
      if (!s.getPath().getName().endsWith(METADATA_FILE_SUFFIX)) {
        files.add(s);
      }
    }
    files.sort(java.util.Comparator.comparing(s -> s.getPath().getName()));
    return files;
  }

  /** The root-relative path of a file of this store. */
  public String relativize(Path path) {
    String full = fs.makeQualified(path).toUri().getPath();
    String base = root.toUri().getPath();
    if (!full.startsWith(base + "/")) {
      throw new IllegalArgumentException(path + " is not under Spool's root " + root);
    }
    return full.substring(base.length() + 1);
  }

  /** Whether the file at a root-relative path is complete: no writer holds it open. */
  public boolean isClosed(String relative) throws IOException {
    return !(fs instanceof org.apache.hadoop.hdfs.DistributedFileSystem dfs) || dfs.isFileClosed(resolve(relative));
  }

  public boolean exists(String relative) throws IOException {
    return fs.exists(resolve(relative));
  }

  public boolean delete(String relative, boolean recursive) throws IOException {
    return fs.delete(resolve(relative), recursive);
  }
}
