package io.spool.core.blob;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is stored with a result blob: where it came from, how its bytes are encoded, and what the job attached to it
 * through a {@code ComputeResult} (description, tags, extra properties, geometry, expiry). Written by the runner that
 * stored the blob, as JSON in the blob's extended attribute {@value BlobStore#METADATA_XATTR} (or a side file when
 * it is too large for one).
 */
public final class BlobMetadata {

  private String functionId;
  private String jobId;
  /** {@code json} or {@code bytes}. */
  private String kind;
  /** The Python type whose {@code serialize()} made the bytes, if one did. */
  private String serializer;
  private long size;
  private long creationDate;
  private String description;
  private long expires;
  private Map<String, Object> extraProperties;
  /** GeoJSON (an object) or WKT (a string). */
  private JsonNode geometry;
  private List<String> tags;

  public BlobMetadata() {}

  public String functionId() { return functionId; }
  public BlobMetadata functionId(String id) { this.functionId = id; return this; }

  public String jobId() { return jobId; }
  public BlobMetadata jobId(String id) { this.jobId = id; return this; }

  public String kind() { return kind; }
  public BlobMetadata kind(String kind) { this.kind = kind; return this; }

  public String serializer() { return serializer; }
  public BlobMetadata serializer(String type) { this.serializer = type; return this; }

  public long size() { return size; }
  public BlobMetadata size(long bytes) { this.size = bytes; return this; }

  public Instant creationDate() { return creationDate == 0 ? null : Instant.ofEpochMilli(creationDate); }
  public BlobMetadata creationDate(Instant t) { this.creationDate = t == null ? 0 : t.toEpochMilli(); return this; }

  public String description() { return description; }
  public BlobMetadata description(String text) { this.description = text; return this; }

  public Instant expires() { return expires == 0 ? null : Instant.ofEpochMilli(expires); }
  public BlobMetadata expires(Instant t) { this.expires = t == null ? 0 : t.toEpochMilli(); return this; }

  public Map<String, Object> extraProperties() { return extraProperties == null ? Map.of() : extraProperties; }
  public BlobMetadata extraProperties(Map<String, Object> properties) {
    this.extraProperties = properties == null || properties.isEmpty() ? null : new LinkedHashMap<>(properties);
    return this;
  }

  public JsonNode geometry() { return geometry; }
  public BlobMetadata geometry(JsonNode geometry) {
    this.geometry = geometry == null || geometry.isNull() ? null : geometry;
    return this;
  }

  public List<String> tags() { return tags == null ? List.of() : tags; }
  public BlobMetadata tags(List<String> tags) {
    this.tags = tags == null || tags.isEmpty() ? null : new ArrayList<>(tags);
    return this;
  }
}
