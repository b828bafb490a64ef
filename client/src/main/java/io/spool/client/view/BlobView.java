package io.spool.client.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.Blob;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A stored result's metadata, as {@code spool blob list --json} prints it and the REST API returns it. */
public record BlobView(String name, String owner, String functionId, String jobId, long size, String kind,
    String serializer, String creationDate, String description, List<String> tags,
    Map<String, Object> extraProperties, JsonNode geometry, String expires) {

  public static BlobView of(Blob b) {
    return new BlobView(b.name(), b.owner(), b.functionId(), b.jobId(), b.size(), b.kind(),
        b.serializer().orElse(null), FunctionView.iso(b.creationDate()), b.description().orElse(null),
        List.copyOf(b.tags()), new LinkedHashMap<>(b.extraProperties()), b.geometry().orElse(null),
        b.expires().map(Object::toString).orElse(null));
  }
}
