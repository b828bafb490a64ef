package io.spool.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Blob;
import io.spool.client.BlobSearch;
import io.spool.client.Spool;
import io.spool.client.view.BlobView;
import io.spool.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool blob …}: list, read and delete the stored results. */
@Command(name = "blob", mixinStandardHelpOptions = true,
    description = "List, read and delete results (blobs named <functionId>/<jobId>).",
    subcommands = {BlobCommands.ListBlobs.class, BlobCommands.Get.class, BlobCommands.Delete.class})
final class BlobCommands {

  static ObjectNode describe(Blob b) {
    return Json.values().valueToTree(BlobView.of(b));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List your results.",
      footer = {"", "Examples:", "  spool blob list --function k3mz8q2hxa --tag histogram",
          "  spool blob list --prefix k3mz8q2hxa/ --json"})
  static final class ListBlobs extends ConnectedCommand implements Callable<Integer> {
    @Option(names = "--function", paramLabel = "FUNCTION_ID", description = "only the results of this function")
    String functionId;
    @Option(names = "--prefix", description = "only names starting with this")
    String prefix;
    @Option(names = "--tag", description = "only blobs with this tag (repeatable: all must match)")
    List<String> tags = new ArrayList<>();
    @Option(names = "--json", description = "print a JSON array of the blobs' metadata")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        BlobSearch search = Blob.search(spool);
        if (functionId != null) {
          search.functionId(functionId);
        }
        if (prefix != null) {
          search.namePrefix(prefix);
        }
        if (!tags.isEmpty()) {
          search.tags(tags.get(0), tags.subList(1, tags.size()).toArray(new String[0]));
        }
        List<Blob> blobs = search.list();
        if (json) {
          ArrayNode array = JsonNodeFactory.instance.arrayNode();
          blobs.forEach(b -> array.add(describe(b)));
          out().println(Json.values().writeValueAsString(array));
        } else {
          out().printf("%-28s %10s %-24s %s%n", "NAME", "SIZE", "CREATED", "TAGS");
          for (Blob b : blobs) {
            out().printf("%-28s %10d %-24s %s%n", b.name(), b.size(), b.creationDate(), String.join(",", b.tags()));
          }
        }
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Print a blob's data (or write it to a file), or its metadata as JSON.",
      footer = {"", "Examples:", "  spool blob get k3mz8q2hxa/k3mz8q2hxa-1", "  spool blob get k3mz8q2hxa/k3mz8q2hxa-1 -o tile.npy",
          "  spool blob get k3mz8q2hxa/k3mz8q2hxa-1 --metadata"})
  static final class Get extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;
    @Option(names = {"-o", "--output"}, description = "write the data to this file")
    Path output;
    @Option(names = "--metadata", description = "print the metadata as JSON instead of the data")
    boolean metadata;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        Blob blob = Blob.get(spool, name);
        if (metadata) {
          out().println(Json.values().writeValueAsString(describe(blob)));
        } else if (output != null) {
          Files.write(output, blob.data());
        } else {
          out().println(new String(blob.data(), StandardCharsets.UTF_8));
        }
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete blobs.",
      footer = {"", "Example:", "  spool blob delete k3mz8q2hxa/k3mz8q2hxa-1 k3mz8q2hxa/k3mz8q2hxa-2"})
  static final class Delete extends ConnectedCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        int deleted = 0;
        for (String name : names) {
          if (Blob.get(spool, name).delete()) {
            out().println(name);
            deleted++;
          }
        }
        err().println("deleted " + deleted + " blob(s)");
        return SpoolCli.EXIT_OK;
      }
    }
  }
}
