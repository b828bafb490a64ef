package io.spool.core.blob;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.json.Json;
import io.spool.core.model.JobId;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Results on the cluster's file system, in {@code users/<owner>/results/<fid>/}: a large result in a file of its
 * own ({@code <jobId>}, its metadata in the file's extended attribute or a side file; location {@value #FILE}),
 * and the rest in segments that executors append to ({@link Segment}), their metadata in the segments' index lines,
 * small ones also inline in their location. A result deleted from a segment is noted in a tombstone file
 * ({@code segments/deleted-*}, one job id per line); a segment all of whose entries are deleted is removed by
 * {@link #compact}.
 */
final class HdfsResultStore implements ResultStore {

  /** The location of a result in a file of its own. */
  static final String FILE = "f";
  private static final String TOMBSTONES = "deleted-";
  private static final long TOMBSTONES_FRESH_MS = 1_000;

  private final BlobStore blobs;
  private final Segment.Writer writer;
  private final long ownFileBytes;
  private final int inlineMax;
  private final SegmentReader reader;
  private final Map<String, Tombstones> tombstones = new HashMap<>(); // by results directory
  private final Map<String, Object> tombstoneReads = new java.util.concurrent.ConcurrentHashMap<>(); // one at a time

  /** The deleted job ids of a function, as read at a time. */
  /** A directory's deleted job ids, the listing of its tombstone files they were read from, and when it was made. */
  private record Tombstones(Set<String> jobIds, String signature, long readMillis) {}

  /** A store that reads every kind of location and puts results in files of their own. */
  HdfsResultStore(BlobStore blobs) {
    this(blobs, null, 0, 0);
  }

  /**
   * A store that puts results of at most {@code ownFileBytes} through {@code writer} (those of at most
   * {@code inlineMax} bytes inline in their location too), larger ones in files of their own.
   */
  HdfsResultStore(BlobStore blobs, Segment.Writer writer, long ownFileBytes, int inlineMax) {
    this.blobs = blobs;
    this.writer = writer;
    this.ownFileBytes = ownFileBytes;
    this.inlineMax = inlineMax;
    this.reader = new SegmentReader(blobs, true);
  }

  static String path(String owner, String jobId) {
    return dir(owner, JobId.functionId(jobId)) + "/" + jobId;
  }

  static String dir(String owner, String fid) {
    return BlobStore.resultsDir(owner, fid);
  }

  private static String segments(String owner, String fid) {
    return dir(owner, fid) + "/" + Segment.DIR;
  }

  @Override
  public String put(String owner, String jobId, java.nio.file.Path data, BlobMetadata metadata, boolean firstAttempt)
      throws IOException {
    long size = java.nio.file.Files.size(data);
    if (writer == null || size > ownFileBytes) {
      blobs.writeResult(path(owner, jobId), data, metadata, !firstAttempt);
      return FILE;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("metadata", metadata);
    return writer.append(jobId, java.nio.file.Files.readAllBytes(data), fields, inlineMax).toString();
  }

  @Override
  public Optional<byte[]> get(String owner, String jobId, String location) throws IOException {
    Optional<Segment.Location> segment = Segment.Location.parse(location);
    if (segment.isEmpty()) {
      checkFile(location);
      return blobs.read(path(owner, jobId));
    }
    if (deleted(owner, JobId.functionId(jobId)).contains(jobId)) {
      return Optional.empty();
    }
    Segment.Location at = segment.get();
    if (at.inline() != null) {
      return Optional.of(at.inline());
    }
    return reader.read(segments(owner, JobId.functionId(jobId)) + "/" + at.segment(), at.offset(), at.length());
  }

  @Override
  public Optional<InputStream> open(String owner, String jobId, String location) throws IOException {
    if (Segment.Location.parse(location).isPresent()) {
      return get(owner, jobId, location).map(ByteArrayInputStream::new);
    }
    checkFile(location);
    try {
      return Optional.of(blobs.fileSystem().open(blobs.resolve(path(owner, jobId))));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<Entry> find(String owner, String jobId, String location) throws IOException {
    String fid = JobId.functionId(jobId);
    Optional<Segment.Location> segment = Segment.Location.parse(location);
    if (segment.isPresent()) {
      if (deleted(owner, fid).contains(jobId)) {
        return Optional.empty();
      }
      return reader.indexEntry(segments(owner, fid), segment.get().segment(), jobId).map(IndexedEntry::entry);
    }
    if (location != null) {
      checkFile(location);
    }
    try {
      FileStatus status = blobs.fileSystem().getFileStatus(blobs.resolve(path(owner, jobId)));
      return Optional.of(new Entry(owner, jobId, FILE, path(owner, jobId), status.getLen(),
          Instant.ofEpochMilli(status.getModificationTime())));
    } catch (FileNotFoundException e) {
      if (location != null) {
        return Optional.empty();
      }
    }
    return segmentEntries(owner, fid).filter(e -> e.entry().jobId().equals(jobId)).map(IndexedEntry::entry)
        .findFirst();
  }

  @Override
  public Optional<BlobMetadata> metadata(String owner, String jobId, String location) throws IOException {
    Optional<Segment.Location> segment = Segment.Location.parse(location);
    if (segment.isEmpty() && location != null) {
      checkFile(location);
      return blobs.resultMetadata(path(owner, jobId));
    }
    if (segment.isEmpty()) {
      Optional<BlobMetadata> own = blobs.resultMetadata(path(owner, jobId));
      if (own.isPresent()) {
        return own;
      }
    }
    String fid = JobId.functionId(jobId);
    if (deleted(owner, fid).contains(jobId)) {
      return Optional.empty();
    }
    if (segment.isPresent()) {
      return reader.indexEntry(segments(owner, fid), segment.get().segment(), jobId).map(IndexedEntry::metadata);
    }
    return segmentEntries(owner, fid).filter(e -> e.entry().jobId().equals(jobId)).map(IndexedEntry::metadata)
        .findFirst();
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

  /** A function's results whose names start with the prefix, in job order: files of their own and segments'. */
  private List<Entry> entries(String owner, String fid, String namePrefix) {
    Map<String, Entry> byJob = new HashMap<>();
    try {
      segmentEntries(owner, fid).forEach(e -> byJob.put(e.entry().jobId(), e.entry()));
      for (FileStatus file : blobs.listBlobs(dir(owner, fid))) {
        String jobId = file.getPath().getName();
        if (file.isFile() && isJobOf(fid, jobId)) {
          byJob.put(jobId, new Entry(owner, jobId, FILE, path(owner, jobId), file.getLen(),
              Instant.ofEpochMilli(file.getModificationTime())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the results of function " + fid + ": " + e.getMessage(), e);
    }
    List<Entry> entries = new ArrayList<>();
    for (Entry e : byJob.values()) {
      if ((fid + "/" + e.jobId()).startsWith(namePrefix)) {
        entries.add(e);
      }
    }
    entries.sort(Comparator.comparingLong(e -> JobId.number(e.jobId())));
    return entries;
  }

  /**
   * The live entries of a function's segments, their indexes read now: not deleted, and of a job with several (an
   * attempt whose executor was lost after it stored its result), the latest.
   */
  private Stream<IndexedEntry> segmentEntries(String owner, String fid) throws IOException {
    Set<String> deleted = deleted(owner, fid);
    Map<String, IndexedEntry> latest = new LinkedHashMap<>();
    for (String segment : segmentNames(owner, fid)) {
      for (IndexedEntry e : reader.index(segments(owner, fid), segment, true)) {
        if (deleted.contains(e.entry().jobId())) {
          continue;
        }
        latest.merge(e.entry().jobId(), e, (a, b) -> b.entry().stored().isAfter(a.entry().stored()) ? b : a);
      }
    }
    return latest.values().stream();
  }

  private List<String> segmentNames(String owner, String fid) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus file : blobs.listBlobs(segments(owner, fid))) {
      String name = file.getPath().getName();
      if (name.endsWith(Segment.INDEX_SUFFIX)) {
        names.add(name.substring(0, name.length() - Segment.INDEX_SUFFIX.length()));
      }
    }
    return names;
  }

  /**
   * The job ids whose results were deleted from the function's segments. The tombstone files are listed at most once
   * a second, by one thread at a time, and read again only when the listing shows that they changed: a function
   * whose earlier runs were deleted has hundreds of thousands of them, and readers of results ask for every result.
   */
  private Set<String> deleted(String owner, String fid) throws IOException {
    String key = dir(owner, fid);
    Tombstones known = freshTombstones(key);
    if (known != null) {
      return known.jobIds();
    }
    synchronized (tombstoneReads.computeIfAbsent(key, k -> new Object())) {
      known = freshTombstones(key);
      if (known != null) {
        return known.jobIds();
      }
      long now = System.currentTimeMillis();
      List<FileStatus> files = new ArrayList<>();
      StringBuilder signature = new StringBuilder();
      for (FileStatus file : blobs.listBlobs(segments(owner, fid))) {
        if (file.getPath().getName().startsWith(TOMBSTONES)) {
          files.add(file);
          signature.append(file.getPath().getName()).append(':').append(file.getLen()).append(':')
              .append(file.getModificationTime()).append(';');
        }
      }
      Tombstones read;
      synchronized (tombstones) {
        known = tombstones.get(key);
      }
      if (known != null && known.signature().equals(signature.toString())) {
        read = new Tombstones(known.jobIds(), known.signature(), now);
      } else {
        Set<String> ids = new HashSet<>();
        for (FileStatus file : files) {
          blobs.read(blobs.relativize(file.getPath())).ifPresent(bytes -> {
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
              if (!line.isBlank()) {
                ids.add(line.trim());
              }
            }
          });
        }
        read = new Tombstones(Set.copyOf(ids), signature.toString(), now);
      }
      synchronized (tombstones) {
        tombstones.put(key, read);
      }
      return read.jobIds();
    }
  }

  /** The tombstones of a results directory if they were listed within the last second, else null. */
  private Tombstones freshTombstones(String key) {
    synchronized (tombstones) {
      Tombstones known = tombstones.get(key);
      return known != null && System.currentTimeMillis() - known.readMillis() < TOMBSTONES_FRESH_MS ? known : null;
    }
  }

  @Override
  public boolean delete(String owner, String jobId) throws IOException {
    return delete(owner, List.of(jobId)) > 0;
  }

  @Override
  public int delete(String owner, Collection<String> jobIds) throws IOException {
    Map<String, List<String>> byFunction = new LinkedHashMap<>();
    jobIds.forEach(id -> byFunction.computeIfAbsent(JobId.functionId(id), f -> new ArrayList<>()).add(id));
    int deleted = 0;
    for (Map.Entry<String, List<String>> f : byFunction.entrySet()) {
      String fid = f.getKey();
      Set<String> own = new HashSet<>();
      for (FileStatus file : blobs.listBlobs(dir(owner, fid))) {
        own.add(file.getPath().getName());
      }
      Set<String> inSegments = new HashSet<>();
      segmentEntries(owner, fid).forEach(e -> inSegments.add(e.entry().jobId()));
      List<String> tombstoned = new ArrayList<>();
      for (String jobId : f.getValue()) {
        boolean found = false;
        if (own.contains(jobId)) {
          found = blobs.deleteResult(path(owner, jobId));
        }
        if (inSegments.contains(jobId)) {
          tombstoned.add(jobId);
          found = true;
        }
        if (found) {
          deleted++;
        }
      }
      if (!tombstoned.isEmpty()) {
        blobs.write(segments(owner, fid) + "/" + TOMBSTONES + System.currentTimeMillis() + "-" + UUID.randomUUID(),
            (String.join("\n", tombstoned) + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (tombstones) {
          tombstones.remove(dir(owner, fid));
        }
      }
    }
    return deleted;
  }

  @Override
  public void deleteFunction(String owner, String functionId) throws IOException {
    blobs.delete(dir(owner, functionId), true);
    reader.forgetUnder(dir(owner, functionId));
  }

  @Override
  public int compact(String owner, String functionId) throws IOException {
    Set<String> deleted = deleted(owner, functionId);
    Map<String, IndexedEntry> latest = new HashMap<>();
    Map<String, List<IndexedEntry>> bySegment = new LinkedHashMap<>();
    for (String segment : segmentNames(owner, functionId)) {
      List<IndexedEntry> entries = reader.index(segments(owner, functionId), segment, true);
      bySegment.put(segment, entries);
      for (IndexedEntry e : entries) {
        latest.merge(e.entry().jobId(), e, (a, b) -> b.entry().stored().isAfter(a.entry().stored()) ? b : a);
      }
    }
    int removed = 0;
    for (Map.Entry<String, List<IndexedEntry>> s : bySegment.entrySet()) {
      String data = segments(owner, functionId) + "/" + s.getKey();
      boolean live = s.getValue().stream().anyMatch(e -> !deleted.contains(e.entry().jobId())
          && latest.get(e.entry().jobId()) == e);
      if (!live && blobs.isClosed(data)) {
        blobs.delete(data + Segment.INDEX_SUFFIX, false);
        blobs.delete(data, false);
        reader.forget(data);
        removed++;
      }
    }
    return removed;
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

  private static void checkFile(String location) {
    if (location != null && !FILE.equals(location)) {
      throw new IllegalArgumentException("unknown result location '" + location + "'");
    }
  }

  /** An index line: the result's entry and its metadata. */
  record IndexedEntry(Entry entry, BlobMetadata metadata) {

    static IndexedEntry parse(String owner, String segmentFile, JsonNode line) {
      BlobMetadata metadata = Json.records().convertValue(line.path("metadata"), BlobMetadata.class);
      String jobId = line.path("job").asText();
      Segment.Location at = Segment.Location.parse(line.path("location").asText()).orElseThrow();
      Instant stored = metadata.creationDate() != null ? metadata.creationDate() : Instant.EPOCH;
      return new IndexedEntry(new Entry(owner, jobId, at.toString(), segmentFile, at.length(), stored), metadata);
    }
  }
}
