package io.spool.core.blob;

import io.spool.core.json.Json;
import java.io.Closeable;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * An append-only file of many jobs' entries (results or logs) that one executor writes, and its index: a line of
 * JSON per entry, naming the job and where its bytes are. Both live in a {@value #DIR} directory beside what they
 * hold ({@code <name>} and {@code <name>}{@value #INDEX_SUFFIX}). An entry is whole once {@link Writer#flush()} has
 * returned (HDFS's {@code hflush}: readers see it, and a crash of the writer loses nothing flushed); the index line
 * follows its bytes, so a reader never finds a line whose bytes are not there.
 *
 * <p>An entry's location is {@code s/<segment>/<offset>/<length>}, optionally followed by {@code /<base64url>} of
 * its bytes when they are small enough to travel in the job's record.
 */
final class Segment {

  /** The directory of segments, in a function's results or logs directory. */
  static final String DIR = "segments";
  static final String INDEX_SUFFIX = ".idx";
  static final String PREFIX = "s/";
  private static final FsPermission PRIVATE = new FsPermission((short) 0700);

  private Segment() {}

  /** Where an entry's bytes are: a segment, a range of it, and the bytes themselves if they came inline. */
  record Location(String segment, long offset, int length, byte[] inline) {

    /** The location {@code text}, or empty if it is not a segment's. */
    static Optional<Location> parse(String text) {
      if (text == null || !text.startsWith(PREFIX)) {
        return Optional.empty();
      }
      String[] parts = text.split("/", -1);
      if (parts.length != 4 && parts.length != 5 || !validName(parts[1])) {
        throw new IllegalArgumentException("malformed segment location '" + text + "'");
      }
      try {
        byte[] inline = parts.length == 5 ? Base64.getUrlDecoder().decode(parts[4]) : null;
        Location location = new Location(parts[1], Long.parseLong(parts[2]), Integer.parseInt(parts[3]), inline);
        if (location.offset < 0 || location.length < 0 || inline != null && inline.length != location.length) {
          throw new IllegalArgumentException("malformed segment location '" + text + "'");
        }
        return Optional.of(location);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("malformed segment location '" + text + "'", e);
      }
    }

    @Override
    public String toString() {
      String text = PREFIX + segment + "/" + offset + "/" + length;
      return inline == null ? text : text + "/" + Base64.getUrlEncoder().withoutPadding().encodeToString(inline);
    }
  }

  /** Whether {@code name} can name a segment: letters, digits, '_', '-' and '.', not starting with '.'. */
  static boolean validName(String name) {
    return name.matches("[A-Za-z0-9_-][A-Za-z0-9_.-]*") && !name.endsWith(INDEX_SUFFIX);
  }

  /**
   * Appends entries to the segments of one directory, opening a segment on first use and the next one when the
   * current one has reached its size: {@code <name>}, {@code <name>.1}, ... Thread-safe.
   */
  static final class Writer implements Closeable {

    private final BlobStore blobs;
    private final String dir;
    private final String name;
    private final long maxBytes;
    private final long maxAgeMillis;
    private long openedMillis;
    private int sequence;
    private String current;
    private FSDataOutputStream data;
    private FSDataOutputStream index;
    private boolean dirty;

    /**
     * A writer of segments named after {@code name} in the root-relative {@code dir}, rolled at {@code maxBytes} or
     * {@code maxAgeMillis} after a segment was opened (a closed segment's modification time is then never far
     * from its youngest entry's, which the log retention goes by).
     */
    Writer(BlobStore blobs, String dir, String name, long maxBytes, long maxAgeMillis) {
      if (!validName(name)) {
        throw new IllegalArgumentException("'" + name + "' cannot name a segment");
      }
      this.blobs = blobs;
      this.dir = dir;
      this.name = name;
      this.maxBytes = maxBytes;
      this.maxAgeMillis = maxAgeMillis;
    }

    /**
     * Appends one entry's bytes and its index line ({@code fields} plus {@code job} and {@code location}); returns
     * its location, carrying the bytes inline if there are at most {@code inlineMax} of them.
     */
    synchronized Location append(String jobId, byte[] bytes, Map<String, Object> fields, int inlineMax)
        throws IOException {
      if (data == null || data.getPos() >= maxBytes || System.currentTimeMillis() - openedMillis >= maxAgeMillis) {
        roll();
      }
      long offset = data.getPos();
      data.write(bytes);
      Location location = new Location(current, offset, bytes.length, bytes.length <= inlineMax ? bytes : null);
      Map<String, Object> line = new java.util.LinkedHashMap<>();
      line.put("job", jobId);
      line.put("location", new Location(current, offset, bytes.length, null).toString());
      line.putAll(fields);
      index.write(Json.toBytes(line));
      index.write('\n');
      dirty = true;
      return location;
    }

    /** Makes every entry appended so far readable and durable (it survives a crash of this process). */
    synchronized void flush() throws IOException {
      if (dirty) {
        data.hflush();
        index.hflush();
        dirty = false;
      }
    }

    private void roll() throws IOException {
      closeCurrent();
      current = sequence == 0 ? name : name + "." + sequence;
      sequence++;
      Path directory = blobs.resolve(dir + "/" + DIR);
      if (!blobs.fileSystem().exists(directory)) {
        blobs.fileSystem().mkdirs(directory, PRIVATE);
      }
      openedMillis = System.currentTimeMillis();
      data = blobs.fileSystem().create(new Path(directory, current), false);
      index = blobs.fileSystem().create(new Path(directory, current + INDEX_SUFFIX), false);
    }

    private void closeCurrent() throws IOException {
      if (data != null) {
        try {
          data.close();
        } finally {
          index.close();
          data = null;
          index = null;
        }
      }
    }

    @Override
    public synchronized void close() throws IOException {
      closeCurrent();
    }
  }
}
