package io.spool.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A search over one owner's result blobs (the connected user's unless {@link #owner(String)} says otherwise): by
 * function, job, name prefix and tags, sorted and paged. Blobs are listed by the result store, function by function;
 * their metadata is read only when a filter or the sort needs it.
 *
 * <pre>{@code
 * List<Blob> tiles = Blob.search(spool).namePrefix(fn.id() + "/").tags("tile").list();
 * int deleted = Blob.search(spool).functionId(oldFunctionId).delete();
 * }</pre>
 */
public final class BlobSearch {

  /** What a search can sort by; ties are broken by name. */
  public enum Sort {
    NAME(Comparator.comparing(Blob::functionId).thenComparing(b -> io.spool.core.model.JobId.number(b.jobId()))),
    CREATION_DATE(Comparator.comparing(Blob::creationDate)),
    SIZE(Comparator.comparingLong(Blob::size));

    private final Comparator<Blob> order;

    Sort(Comparator<Blob> order) {
      this.order = order;
    }
  }

  private final Spool spool;
  private String owner;
  private String functionId;
  private String namePrefix = "";
  private final List<Predicate<Blob>> filters = new ArrayList<>();
  private Comparator<Blob> order = Sort.NAME.order;

  BlobSearch(Spool spool) {
    this.spool = spool;
    this.owner = spool.user();
  }

  /** Searches {@code owner}'s namespace instead of the connected user's. */
  public BlobSearch owner(String owner) {
    this.owner = owner;
    return this;
  }

  /** Blobs of this function's jobs. */
  public BlobSearch functionId(String id) {
    this.functionId = id;
    return this;
  }

  /** The blob of this job. */
  public BlobSearch jobId(String jobId) {
    functionId(io.spool.core.model.JobId.functionId(jobId));
    filters.add(b -> b.jobId().equals(jobId));
    return this;
  }

  /** Blobs whose name ({@code <functionId>/<jobId>}) starts with {@code prefix}. */
  public BlobSearch namePrefix(String prefix) {
    this.namePrefix = prefix;
    return this;
  }

  /** Blobs that carry every one of these tags. */
  public BlobSearch tags(String first, String... more) {
    List<String> all = new ArrayList<>(List.of(more));
    all.add(0, first);
    filters.add(b -> b.tags().containsAll(all));
    return this;
  }

  /** Blobs stored after {@code t}. */
  public BlobSearch createdAfter(Instant t) {
    filters.add(b -> b.creationDate().isAfter(t));
    return this;
  }

  /** Sorts by {@code field}, ascending or descending. Default: by name. */
  public BlobSearch sortBy(Sort field, boolean ascending) {
    Comparator<Blob> c = ascending ? field.order : field.order.reversed();
    order = field == Sort.NAME ? c : c.thenComparing(Sort.NAME.order);
    return this;
  }

  /** Every matching blob, sorted. */
  public List<Blob> list() {
    List<Blob> all = new ArrayList<>(stream().toList());
    all.sort(order);
    return all;
  }

  /** Every matching blob, function by function (sorted by name within each), read as the stream is consumed. */
  public Stream<Blob> stream() {
    return blobs().filter(b -> filters.stream().allMatch(p -> p.test(b)));
  }

  /** One page of the sorted matches. */
  public List<Blob> page(int number, int size) {
    if (number < 0 || size < 1) {
      throw new IllegalArgumentException("page " + number + " of size " + size
          + ": the page number must be 0 or more and the size at least 1");
    }
    return list().stream().skip((long) number * size).limit(size).toList();
  }

  public long count() {
    return stream().count();
  }

  /** Deletes every matching blob; returns how many. */
  public int delete() {
    List<String> jobIds = stream().map(Blob::jobId).toList();
    try {
      int deleted = spool.results().delete(owner, jobIds);
      for (String fid : jobIds.stream().map(io.spool.core.model.JobId::functionId).distinct().toList()) {
        spool.results().compact(owner, fid);
      }
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the results of users/" + owner + ": " + e.getMessage(), e);
    }
  }

  private Stream<Blob> blobs() {
    try {
      return spool.results().list(owner, functionId, namePrefix).map(entry -> new Blob(spool, entry, null));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the results of users/" + owner + ": " + e.getMessage(), e);
    }
  }
}
