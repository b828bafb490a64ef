package io.spool.server;

import io.spool.client.Blob;
import io.spool.client.BlobSearch;
import io.spool.client.view.BlobView;
import java.util.ArrayList;
import java.util.List;

/** The API's blobs: the stored results, listed and searched, their data and metadata, deleted. */
final class BlobRoutes {

  private static final int MAX_PAGE_SIZE = 1_000;

  void register(Router r) {
    r.add("GET", "/blobs", "List or search your results (by function, name prefix, tags)", this::list);
    r.add("GET", "/blobs/{functionId}/{jobId}", "A result's metadata", this::metadata);
    r.add("GET", "/blobs/{functionId}/{jobId}/data", "A result's data", this::data);
    r.add("DELETE", "/blobs/{functionId}/{jobId}", "Delete a result", this::delete);
  }

  private Object list(Call call) {
    BlobSearch search = Blob.search(call.spool());
    if (call.query("functionId") != null) {
      Access.function(call, call.query("functionId"));
      search.functionId(call.query("functionId"));
    }
    if (call.query("prefix") != null) {
      search.namePrefix(call.query("prefix"));
    }
    List<String> tags = call.queryList("tag");
    if (!tags.isEmpty()) {
      search.tags(tags.get(0), tags.subList(1, tags.size()).toArray(String[]::new));
    }
    if (call.query("sort") != null || !Params.ascending(call)) {
      String sort = call.query("sort") == null ? "name" : call.query("sort");
      search.sortBy(Params.enumValue(BlobSearch.Sort.class, sort, "sort"), Params.ascending(call));
    }
    int page = call.intQuery("page", 0, 0, Integer.MAX_VALUE);
    int size = call.intQuery("pageSize", 50, 1, MAX_PAGE_SIZE);
    List<BlobView> items = new ArrayList<>();
    search.page(page, size).forEach(b -> items.add(BlobView.of(b)));
    return FunctionRoutes.numberedPage(items, search.count(), page, size);
  }

  private Blob blob(Call call) {
    String functionId = call.path("functionId");
    String jobId = call.path("jobId");
    if (!jobId.startsWith(functionId + "-")) {
      throw ApiException.notFound("no blob named '" + functionId + "/" + jobId + "'");
    }
    try {
      Access.function(call, functionId);
    } catch (io.spool.core.state.NotFoundException deletedFunction) {
      // results outlive their function: look in the caller's own namespace
    }
    return Blob.get(call.spool(), call.user(), functionId + "/" + jobId);
  }

  private Object metadata(Call call) {
    return BlobView.of(blob(call));
  }

  private Object data(Call call) {
    Blob b = blob(call);
    boolean json = "json".equals(b.kind());
    return Reply.bytes(json ? "application/json" : "application/octet-stream", b.data(),
        b.jobId() + (json ? ".json" : ".bin"));
  }

  private Object delete(Call call) {
    if (!blob(call).delete()) {
      throw ApiException.notFound("no blob named '" + call.path("functionId") + "/" + call.path("jobId") + "'");
    }
    return Reply.noContent();
  }
}
