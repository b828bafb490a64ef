package io.spool.core.blob;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.client.HdfsDataInputStream;

/**
 * Reads segments' entries and index lines, keeping a few segments open for a second (a reader of many results of
 * one function reads them from a handful of segments: one open each, not one per result; and a segment removed by a
 * purge or a delete elsewhere is seen to be gone a second later at most) and their parsed indexes. A segment that
 * is still being written is opened again when an entry lies beyond what was visible when it was opened.
 * Thread-safe.
 */
final class SegmentReader {

  private static final int OPEN_SEGMENTS = 8;
  private static final long OPEN_MILLIS = 1_000;
  private static final int INDEXES = 64;

  /** An open segment, how much of it could be read when it was opened, and when that was. */
  private record Open(FSDataInputStream in, long visible, long openedMillis) {}

  /** A parsed index and the length of the file it was parsed from. */
  private record Index(List<HdfsResultStore.IndexedEntry> entries, long length) {}

  private final BlobStore blobs;
  private final boolean keepOpen;
  private final Map<String, Open> open = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, Index> indexes = new LinkedHashMap<>(16, 0.75f, true);

  /** A reader that keeps segments open for a while if {@code keepOpen}, and opens one for every read otherwise. */
  SegmentReader(BlobStore blobs, boolean keepOpen) {
    this.blobs = blobs;
    this.keepOpen = keepOpen;
  }

  /** The {@code length} bytes at {@code offset} of the root-relative segment; empty if it is gone. */
  Optional<byte[]> read(String segment, long offset, int length) throws IOException {
    byte[] bytes = new byte[length];
    if (!keepOpen) {
      try (FSDataInputStream in = blobs.fileSystem().open(blobs.resolve(segment))) {
        in.readFully(offset, bytes);
        return Optional.of(bytes);
      } catch (FileNotFoundException gone) {
        return Optional.empty();
      }
    }
    synchronized (this) {
      try {
        Open o = open.get(segment);
        if (o == null || offset + length > o.visible() || System.currentTimeMillis() - o.openedMillis() > OPEN_MILLIS) {
          o = reopen(segment, o);
        }
        o.in().readFully(offset, bytes);
      } catch (FileNotFoundException gone) {
        forget(segment);
        return Optional.empty();
      }
    }
    return Optional.of(bytes);
  }

  private Open reopen(String segment, Open old) throws IOException {
    if (old != null) {
      old.in().close();
    }
    Path path = blobs.resolve(segment);
    FSDataInputStream in = blobs.fileSystem().open(path);
    long visible = in instanceof HdfsDataInputStream hdfs ? hdfs.getVisibleLength()
        : blobs.fileSystem().getFileStatus(path).getLen();
    Open o = new Open(in, visible, System.currentTimeMillis());
    open.put(segment, o);
    if (open.size() > OPEN_SEGMENTS) {
      var eldest = open.entrySet().iterator().next();
      eldest.getValue().in().close();
      open.remove(eldest.getKey());
    }
    return o;
  }

  /**
   * The entries of a segment's index as far as it has been written, read now ({@code fresh}) or as read before;
   * empty if the segment is gone.
   */
  List<HdfsResultStore.IndexedEntry> index(String dir, String segment, boolean fresh) throws IOException {
    return read(dir, segment, fresh).entries();
  }

  /** The index entry of {@code jobId} in a segment, reading the index again if it is not in it as read before. */
  Optional<HdfsResultStore.IndexedEntry> indexEntry(String dir, String segment, String jobId) throws IOException {
    for (boolean again : new boolean[] {false, true}) {
      for (HdfsResultStore.IndexedEntry e : read(dir, segment, again).entries()) {
        if (e.entry().jobId().equals(jobId)) {
          return Optional.of(e);
        }
      }
    }
    return Optional.empty();
  }

  private Index read(String dir, String segment, boolean reread) throws IOException {
    String key = dir + "/" + segment;
    synchronized (this) {
      Index known = indexes.get(key);
      if (known != null && !reread) {
        return known;
      }
    }
    String owner = ownerOf(dir);
    List<HdfsResultStore.IndexedEntry> entries = new ArrayList<>();
    byte[] bytes = blobs.read(key + Segment.INDEX_SUFFIX).orElse(new byte[0]);
    String text = new String(bytes, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n'); // a last line without its newline is still being written
    for (String line : end < 0 ? new String[0] : text.substring(0, end).split("\n")) {
      JsonNode node = Json.records().readTree(line);
      entries.add(HdfsResultStore.IndexedEntry.parse(owner, key, node));
    }
    Index index = new Index(List.copyOf(entries), bytes.length);
    synchronized (this) {
      indexes.put(key, index);
      if (indexes.size() > INDEXES) {
        indexes.remove(indexes.keySet().iterator().next());
      }
    }
    return index;
  }

  /** {@code users/<owner>/...} → owner. */
  private static String ownerOf(String dir) {
    String[] parts = dir.split("/");
    return parts.length > 1 ? parts[1] : "";
  }

  /** Closes and forgets every segment under a root-relative directory (it was removed). */
  synchronized void forgetUnder(String dir) {
    for (String segment : new java.util.ArrayList<>(open.keySet())) {
      if (segment.startsWith(dir + "/")) {
        forget(segment);
      }
    }
    indexes.keySet().removeIf(key -> key.startsWith(dir + "/"));
  }

  /** Closes and forgets a segment (it was removed). */
  synchronized void forget(String segment) {
    Open o = open.remove(segment);
    if (o != null) {
      try {
        o.in().close();
      } catch (IOException e) {
        // it is gone either way
      }
    }
    indexes.remove(segment);
  }
}
