package io.spool.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Function;
import io.spool.client.Spool;
import io.spool.core.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool function …}: create, get and list functions. */
@Command(name = "function", description = "Create and inspect functions.",
    subcommands = {FunctionCommands.Create.class, FunctionCommands.Get.class, FunctionCommands.ListFunctions.class})
final class FunctionCommands {

  static ObjectNode describe(Function f) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("id", f.id());
    node.put("name", f.name());
    node.put("status", String.valueOf(f.status()));
    if (f.statusReason() != null) {
      node.put("statusReason", f.statusReason());
    }
    node.put("entrypoint", f.entrypoint());
    node.put("image", f.image());
    node.put("cpus", f.cpus());
    node.put("memory", f.memory());
    node.put("maximumConcurrency", f.maximumConcurrency());
    node.put("timeout", f.timeout());
    node.put("retryCount", f.retryCount());
    node.put("owner", f.owner());
    node.put("creationDate", String.valueOf(f.creationDate()));
    ObjectNode env = node.putObject("environment");
    f.environment().forEach(env::put);
    return node;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a function from a Python file and function name, ship it and start building it.",
      footer = {"", "Example:", "  spool function create examples/hello/hello.py:hello --memory 512Mi --maximum-concurrency 2"})
  static final class Create extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ENTRYPOINT", description = "path/to/file.py:function")
    String entrypoint;
    @Option(names = "--name", description = "display name (default: the function's name)")
    String name;
    @Option(names = "--image", description = "image, e.g. python3.11 (default: the configured one)")
    String image;
    @Option(names = "--cpus", description = "CPUs per job, e.g. 1 or 0.5")
    String cpus;
    @Option(names = "--memory", description = "memory per job: MiB or 512Mi, 2Gi, 2GB")
    String memory;
    @Option(names = "--maximum-concurrency", description = "most jobs running at once")
    Integer maximumConcurrency;
    @Option(names = "--timeout", description = "seconds one attempt may run")
    Integer timeout;
    @Option(names = "--retry-count", description = "retries of a job that failed")
    Integer retryCount;
    @Option(names = "--env", description = "KEY=VALUE environment of every job (repeatable)")
    Map<String, String> environment = new LinkedHashMap<>();
    @Option(names = "--json", description = "print the function as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        Function.Builder builder = Function.builder(spool, entrypoint);
        if (name != null) { builder.name(name); }
        if (image != null) { builder.image(image); }
        if (cpus != null) { builder.cpus(cpus); }
        if (memory != null) { builder.memory(memory); }
        if (maximumConcurrency != null) { builder.maximumConcurrency(maximumConcurrency); }
        if (timeout != null) { builder.timeout(timeout); }
        if (retryCount != null) { builder.retryCount(retryCount); }
        if (!environment.isEmpty()) { builder.environment(environment); }
        Function f = builder.build().save();
        out().println(json ? Json.values().writeValueAsString(describe(f)) : f.id());
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a function.")
  static final class Get extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String id;
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        ObjectNode f = describe(Function.get(spool, id));
        out().println(json ? Json.values().writeValueAsString(f) : Json.values().writerWithDefaultPrettyPrinter().writeValueAsString(f));
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List functions.")
  static final class ListFunctions extends ConnectedCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print a JSON array")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        List<Function> all = Function.list(spool);
        if (json) {
          var array = JsonNodeFactory.instance.arrayNode();
          all.forEach(f -> array.add(describe(f)));
          out().println(Json.values().writeValueAsString(array));
        } else {
          out().printf("%-12s %-14s %-20s %s%n", "ID", "STATUS", "NAME", "ENTRYPOINT");
          for (Function f : all) {
            out().printf("%-12s %-14s %-20s %s%n", f.id(), f.status(), f.name(), f.entrypoint());
          }
        }
        return SpoolCli.EXIT_OK;
      }
    }
  }
}
