package io.spool.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.blob.BlobMetadata;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.model.JobId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stored result: the bytes a job returned and the metadata stored with them. Blobs live in their owner's namespace
 * ({@code users/<owner>}) under the name {@code <functionId>/<jobId>}, and are kept until deleted: they outlive
 * their job and their function. Find them with {@link #search(Spool)}, or from a job with {@link Job#resultBlob()}.
 */
public final class Blob {

  private final Spool spool;
  private final String owner;
  private final String name;
  private final String location;
  private final long size;
  private final Instant modified;
  private BlobMetadata metadata;

  Blob(Spool spool, ResultStore.Entry entry, BlobMetadata metadata) {
    this.spool = spool;
    this.owner = entry.owner();
    this.name = entry.name();
    this.location = entry.location();
    this.size = entry.size();
    this.modified = entry.stored();
    this.metadata = metadata;
  }

  /**
   * The blob named {@code <functionId>/<jobId>} in the connected user's namespace.
   *
   * @throws io.spool.core.state.NotFoundException if there is none
   */
  public static Blob get(Spool spool, String name) {
    return get(spool, spool.user(), name);
  }

  /** The blob named {@code <functionId>/<jobId>} in {@code owner}'s namespace. */
  public static Blob get(Spool spool, String owner, String name) {
    return get(spool, owner, name, null);
  }

  /** The blob of a job whose record says where its result is ({@code location}; null: look it up). */
  static Blob get(Spool spool, String owner, String name, String location) {
    String jobId = jobIdOf(name);
    try {
      ResultStore.Entry entry = spool.results().find(owner, jobId, location).orElseThrow(() ->
          new io.spool.core.state.NotFoundException("no blob named '" + name + "' in users/" + owner));
      return new Blob(spool, entry, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read blob " + name + ": " + e.getMessage(), e);
    }
  }

  /** A search over the connected user's blobs. */
  public static BlobSearch search(Spool spool) {
    return new BlobSearch(spool);
  }

  static String jobIdOf(String name) {
    int slash = name == null ? -1 : name.indexOf('/');
    if (slash > 0) {
      String jobId = name.substring(slash + 1);
      try {
        if (JobId.functionId(jobId).equals(name.substring(0, slash))) {
          return jobId;
        }
      } catch (IllegalArgumentException notAJobId) {
        // reported below
      }
    }
    throw new IllegalArgumentException("blob name '" + name + "' must be <functionId>/<jobId>, e.g. "
        + "'abcdefghij/abcdefghij-1'");
  }

  /** Where the owner's blobs live: {@code users/<owner>}. */
  public String namespace() {
    return BlobStore.userDir(owner);
  }

  public String owner() {
    return owner;
  }

  /** {@code <functionId>/<jobId>}. */
  public String name() {
    return name;
  }

  public String functionId() {
    return name.substring(0, name.indexOf('/'));
  }

  public String jobId() {
    return name.substring(name.indexOf('/') + 1);
  }

  /** Bytes stored. */
  public long size() {
    return size;
  }

  /** When the blob was stored. */
  public Instant creationDate() {
    Instant created = metadata().creationDate();
    return created != null ? created : modified;
  }

  /** {@code json} for a JSON value, {@code bytes} for raw bytes or a {@code serialize()} result. */
  public String kind() {
    String kind = metadata().kind();
    return kind == null ? ResultValues.JSON : kind;
  }

  /** The Python type whose {@code serialize()} made the bytes, if one did. */
  public Optional<String> serializer() {
    return Optional.ofNullable(metadata().serializer());
  }

  /** The description a {@code ComputeResult} gave, if any. */
  public Optional<String> description() {
    return Optional.ofNullable(metadata().description());
  }

  public List<String> tags() {
    return metadata().tags();
  }

  /** The extra properties a {@code ComputeResult} gave: string or number values. */
  public Map<String, Object> extraProperties() {
    return metadata().extraProperties();
  }

  /** The geometry a {@code ComputeResult} gave: a GeoJSON object, or a text node holding WKT. */
  public Optional<JsonNode> geometry() {
    return Optional.ofNullable(metadata().geometry());
  }

  /** When the job said the result may be deleted, if it did. */
  public Optional<Instant> expires() {
    return Optional.ofNullable(metadata().expires());
  }

  /** The stored bytes. */
  public byte[] data() {
    try {
      return spool.results().get(owner, jobId(), location).orElseThrow(() ->
          new io.spool.core.state.NotFoundException("blob " + name + " has been deleted"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read blob " + name + ": " + e.getMessage(), e);
    }
  }

  /** The stored bytes as a stream; close it. */
  public InputStream open() throws IOException {
    return spool.results().open(owner, jobId(), location).orElseThrow(() ->
        new io.spool.core.state.NotFoundException("blob " + name + " has been deleted"));
  }

  /** The value: parsed JSON for a JSON blob, the bytes otherwise. */
  public Object value() {
    return ResultValues.decode(data(), kind(), "blob " + name);
  }

  /** The value as {@code type} (see {@link Job#result(Class)}). */
  public <T> T value(Class<T> type) {
    return ResultValues.decode(spool, data(), kind(), metadata().serializer(), type, "blob " + name);
  }

  /** Deletes the blob and its metadata; false if it was gone already. */
  public boolean delete() {
    try {
      return spool.results().delete(owner, jobId());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete blob " + name + ": " + e.getMessage(), e);
    }
  }

  BlobMetadata metadata() {
    if (metadata == null) {
      try {
        metadata = spool.results().metadata(owner, jobId(), location).orElseGet(BlobMetadata::new);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the metadata of blob " + name + ": " + e.getMessage(), e);
      }
    }
    return metadata;
  }

  @Override
  public String toString() {
    return "Blob " + namespace() + "/" + name + " (" + size + " bytes)";
  }
}
