package io.spool.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.BuildFailedException;
import io.spool.client.Function;
import io.spool.client.FunctionSearch;
import io.spool.client.FunctionSpec;
import io.spool.client.Spool;
import io.spool.client.view.FunctionView;
import io.spool.core.model.JobProcess;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobStatus;
import io.spool.core.model.Resources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool function …}: create, get and list functions. */
@Command(name = "function", mixinStandardHelpOptions = true,
    description = "Create, inspect, change and delete functions.",
    subcommands = {FunctionCommands.Create.class, FunctionCommands.Get.class, FunctionCommands.ListFunctions.class,
        FunctionCommands.BuildLog.class, FunctionCommands.Start.class, FunctionCommands.Stop.class,
        FunctionCommands.Enable.class, FunctionCommands.Disable.class, FunctionCommands.Update.class,
        FunctionCommands.Delete.class, FunctionCommands.Wait.class})
final class FunctionCommands {

  static ObjectNode describe(Function f) {
    return Json.values().valueToTree(FunctionView.of(f, true));
  }

  /** Prints a function as JSON (one line with --json, indented otherwise). */
  static void print(ConnectedCommand command, Function f, boolean json) throws Exception {
    ObjectNode node = describe(f);
    command.out().println(json ? Json.values().writeValueAsString(node)
        : Json.values().writerWithDefaultPrettyPrinter().writeValueAsString(node));
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a function from a Python file and function name (or a qualified name), ship it and start "
          + "building it. Attributes come from flags, or from a JSON spec file (--spec) that flags override.",
      footer = {"", "Examples:", "  spool function create examples/hello/hello.py:hello --memory 512Mi --maximum-concurrency 2",
          "  spool function create tiles.histogram.run --include-module tiles --include-data 'tiles/data/*.json' \\",
          "      --requirement 'geopandas>=1.0' --python-path src",
          "  spool function create --spec tiles.json --memory 2Gi --wait",
          "      # tiles.json: {\"entrypoint\": \"tiles.py:histogram\", \"maximumConcurrency\": 8, \"retryCount\": 2,",
          "      #              \"requirements\": [\"numpy\"], \"environment\": {\"MODE\": \"fast\"}}"})
  static final class Create extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ENTRYPOINT",
        description = "path/to/file.py:function or pkg.module.function (or the spec file's entrypoint)")
    String entrypoint;
    @Option(names = "--spec", paramLabel = "FILE", description = "a JSON file of the function's attributes, with the "
        + "Java names (entrypoint, memory, maximumConcurrency, includeModules, …); paths relative to the file")
    Path spec;
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
    @Option(names = "--job-process", paramLabel = "fresh|reused", description = "fresh: a Python process per job, "
        + "nothing leaks between jobs (default: spool.function.job-process); reused: a process runs jobs one after "
        + "another, cheaper for short jobs")
    String jobProcess;
    @Option(names = "--max-jobs-per-process", description = "with --job-process reused: the most jobs one process "
        + "runs before it is replaced, 0 for no limit")
    Integer maxJobsPerProcess;
    @Option(names = "--queue", description = "YARN queue of its master and executors (default: spool.yarn.queue)")
    String queue;
    @Option(names = "--priority", description = "YARN application priority of its master, 0 or more "
        + "(default: spool.yarn.priority)")
    Integer priority;
    @Option(names = "--node-label", description = "YARN node label expression its master and executors run on "
        + "(default: spool.yarn.node-label, none)")
    String nodeLabel;
    @Option(names = "--env", description = "KEY=VALUE environment of every job (repeatable)")
    Map<String, String> environment = new LinkedHashMap<>();
    @Option(names = "--requirement", description = "a pip requirement line, e.g. 'geopandas>=1.0' (repeatable)")
    List<String> requirements = new ArrayList<>();
    @Option(names = "--requirements-file", description = "a pip requirements file")
    Path requirementsFile;
    @Option(names = "--include-module", description = "a local package or module to ship, by import name (repeatable)")
    List<String> includeModules = new ArrayList<>();
    @Option(names = "--include-data", description = "a glob of data files to ship, relative to the python path "
        + "(repeatable)")
    List<String> includeData = new ArrayList<>();
    @Option(names = "--python-path", description = "where included modules and data are found (repeatable; "
        + "default: the current directory)")
    List<Path> pythonPath = new ArrayList<>();
    @Option(names = "--no-auto-start", description = "leave the function STOPPED after its build")
    boolean noAutoStart;
    @Option(names = "--json", description = "print the function as JSON")
    boolean json;
    @Option(names = "--wait", description = "wait until it is built: exit 3 with the reason if the build fails")
    boolean await;
    @Option(names = "--wait-timeout", description = "with --wait: seconds to wait (default ${DEFAULT-VALUE})",
        defaultValue = "3600")
    long waitTimeout;
    private Boolean autoStart;

    @Override
    public Integer call() throws Exception {
      if (spec != null) {
        applySpec(FunctionSpec.read(spec));
      }
      if (entrypoint == null) {
        throw new IllegalArgumentException("give the ENTRYPOINT, or a --spec file with an \"entrypoint\"");
      }
      JobProcess mode = jobProcess == null ? null : JobProcess.parse(jobProcess);
      try (Spool spool = connection.get()) {
        Function.Builder builder = Function.builder(spool, entrypoint);
        if (name != null) { builder.name(name); }
        if (image != null) { builder.image(image); }
        if (cpus != null) { builder.cpus(cpus); }
        if (memory != null) { builder.memory(memory); }
        if (maximumConcurrency != null) { builder.maximumConcurrency(maximumConcurrency); }
        if (timeout != null) { builder.timeout(timeout); }
        if (retryCount != null) { builder.retryCount(retryCount); }
        if (mode != null) { builder.jobProcess(mode); }
        if (maxJobsPerProcess != null) { builder.maxJobsPerProcess(maxJobsPerProcess); }
        if (queue != null) { builder.queue(queue); }
        if (priority != null) { builder.priority(priority); }
        if (nodeLabel != null) { builder.nodeLabel(nodeLabel); }
        if (!environment.isEmpty()) { builder.environment(environment); }
        if (!requirements.isEmpty()) { builder.requirements(requirements); }
        if (requirementsFile != null) { builder.requirementsFile(requirementsFile); }
        if (noAutoStart || Boolean.FALSE.equals(autoStart)) { builder.autoStart(false); }
        Function f = builder.includeModules(includeModules).includeData(includeData).pythonPath(pythonPath)
            .build().save();
        int exit = SpoolCli.EXIT_OK;
        if (await) {
          exit = waitBuilt(f, waitTimeout, err());
        }
        out().println(json ? Json.values().writeValueAsString(describe(f)) : f.id());
        return exit;
      }
    }

    /** Takes from the spec every attribute that no flag gave. */
    private void applySpec(FunctionSpec file) {
      entrypoint = entrypoint != null ? entrypoint : file.entrypoint();
      name = name != null ? name : file.text("name");
      image = image != null ? image : file.text("image");
      cpus = cpus != null ? cpus : file.text("cpus");
      memory = memory != null ? memory : file.text("memory");
      maximumConcurrency = maximumConcurrency != null ? maximumConcurrency : file.integer("maximumConcurrency");
      timeout = timeout != null ? timeout : file.integer("timeout");
      retryCount = retryCount != null ? retryCount : file.integer("retryCount");
      jobProcess = jobProcess != null ? jobProcess : file.text("jobProcess");
      maxJobsPerProcess = maxJobsPerProcess != null ? maxJobsPerProcess : file.integer("maxJobsPerProcess");
      queue = queue != null ? queue : file.text("queue");
      priority = priority != null ? priority : file.integer("priority");
      nodeLabel = nodeLabel != null ? nodeLabel : file.text("nodeLabel");
      autoStart = file.bool("autoStart");
      if (environment.isEmpty()) {
        environment.putAll(file.environment());
      }
      if (requirements.isEmpty()) {
        requirements.addAll(file.strings("requirements"));
      }
      if (requirementsFile == null && file.text("requirementsFile") != null) {
        requirementsFile = file.path(file.text("requirementsFile"));
      }
      if (includeModules.isEmpty()) {
        includeModules.addAll(file.strings("includeModules"));
      }
      if (includeData.isEmpty()) {
        includeData.addAll(file.strings("includeData"));
      }
      if (pythonPath.isEmpty()) {
        file.strings("pythonPath").forEach(p -> pythonPath.add(file.path(p)));
      }
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a function.",
      footer = {"", "Examples:", "  spool function get k3mz8q2hxa",
          "  spool function get k3mz8q2hxa --json | jq .jobStatistics"})
  static final class Get extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String id;
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        print(this, Function.get(spool, id), json);
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "list", aliases = "search", mixinStandardHelpOptions = true,
      description = "List or search functions: filters, sort and pages.",
      footer = {"", "Example:", "  spool function list --status READY --name tile --sort memory --descending --page-size 20"})
  static final class ListFunctions extends ConnectedCommand implements Callable<Integer> {
    @Option(names = "--status", description = "only these statuses (repeatable): ${COMPLETION-CANDIDATES}")
    List<FunctionStatus> statuses = new ArrayList<>();
    @Option(names = "--name", description = "only names containing this text")
    String name;
    @Option(names = "--min-memory", description = "only functions with at least this memory (MiB or 2Gi)")
    String minMemory;
    @Option(names = "--created-after", description = "only functions created after this instant (ISO-8601)")
    Instant createdAfter;
    @Option(names = "--sort", description = "sort by: ${COMPLETION-CANDIDATES} (default: creation_date)")
    FunctionSearch.Sort sort = FunctionSearch.Sort.CREATION_DATE;
    @Option(names = "--descending", description = "sort descending")
    boolean descending;
    @Option(names = "--page", description = "page number, from 0 (default ${DEFAULT-VALUE})", defaultValue = "0")
    int page;
    @Option(names = "--page-size", description = "functions per page (default: all)")
    Integer pageSize;
    @Option(names = "--json", description = "print a JSON array")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        FunctionSearch search = Function.search(spool).sortBy(sort, !descending);
        if (!statuses.isEmpty()) {
          search.status(statuses.get(0), statuses.subList(1, statuses.size()).toArray(new FunctionStatus[0]));
        }
        if (name != null) { search.nameContains(name); }
        if (minMemory != null) { search.memoryAtLeast(Resources.parseMemoryMiB(minMemory)); }
        if (createdAfter != null) { search.createdAfter(createdAfter); }
        List<Function> all = pageSize == null ? search.list() : search.page(page, pageSize);
        if (json) {
          var array = JsonNodeFactory.instance.arrayNode();
          all.forEach(f -> array.add(describe(f)));
          out().println(Json.values().writeValueAsString(array));
        } else {
          out().printf("%-12s %-14s %-20s %6s %8s %s%n", "ID", "STATUS", "NAME", "CPUS", "MEMORY", "ENTRYPOINT");
          for (Function f : all) {
            out().printf("%-12s %-14s %-20s %6s %8s %s%n", f.id(), f.status(), f.name(), f.cpus(), f.memory(),
                f.entrypoint());
          }
        }
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "build-log", mixinStandardHelpOptions = true,
      description = "Print a function's build log (what it has so far while it builds), each line with its UTC time.",
      footer = {"", "Examples:", "  spool function build-log k3mz8q2hxa",
          "  spool function build-log k3mz8q2hxa --no-timestamps | grep pip"})
  static final class BuildLog extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String id;
    @Option(names = "--no-timestamps", description = "leave out the time at the start of each line")
    boolean noTimestamps;

    @Override
    public Integer call() {
      try (Spool spool = connection.get()) {
        out().print(Function.get(spool, id).buildLog(!noTimestamps));
        out().flush();
        return SpoolCli.EXIT_OK;
      }
    }
  }

  /** A command that changes one function and prints it. */
  abstract static class Change extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String id;
    @Option(names = "--json", description = "print the function as JSON")
    boolean json;

    abstract void change(Function f);

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        Function f = Function.get(spool, id);
        change(f);
        print(this, f, json);
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Make a STOPPED function READY.",
      footer = {"", "Examples:", "  spool function start k3mz8q2hxa"})
  static final class Start extends Change {
    @Override
    void change(Function f) {
      f.start();
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Make a READY function STOPPED: no new job starts; running jobs finish.",
      footer = {"", "Examples:", "  spool function stop k3mz8q2hxa"})
  static final class Stop extends Change {
    @Override
    void change(Function f) {
      f.stop();
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Accept submissions and reruns again.",
      footer = {"", "Examples:", "  spool function enable k3mz8q2hxa"})
  static final class Enable extends Change {
    @Override
    void change(Function f) {
      f.enable();
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, description = "Refuse new submissions and reruns.",
      footer = {"", "Examples:", "  spool function disable k3mz8q2hxa"})
  static final class Disable extends Change {
    @Override
    void change(Function f) {
      f.disable();
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = {"Change a function's mutable attributes; jobs that start afterwards get them.",
          "A new --queue, --priority or --node-label applies from the function's next master (a running master "
              + "keeps its YARN placement until it exits)."},
      footer = {"", "Example:", "  spool function update k3mz8q2hxa --memory 4Gi --maximum-concurrency 20"})
  static final class Update extends Change {
    @Option(names = "--name") String name;
    @Option(names = "--cpus") String cpus;
    @Option(names = "--memory") String memory;
    @Option(names = "--maximum-concurrency") Integer maximumConcurrency;
    @Option(names = "--timeout") Integer timeout;
    @Option(names = "--retry-count") Integer retryCount;
    @Option(names = "--job-process", paramLabel = "fresh|reused") String jobProcess;
    @Option(names = "--max-jobs-per-process") Integer maxJobsPerProcess;
    @Option(names = "--queue") String queue;
    @Option(names = "--priority") Integer priority;
    @Option(names = "--node-label") String nodeLabel;
    @Option(names = "--env", description = "KEY=VALUE (repeatable): replaces the environment")
    Map<String, String> environment = new LinkedHashMap<>();
    @Option(names = "--auto-start", arity = "1") Boolean autoStart;

    @Override
    void change(Function f) {
      Function.Update update = f.update();
      if (name != null) { update.name(name); }
      if (cpus != null) { update.cpus(cpus); }
      if (memory != null) { update.memory(memory); }
      if (maximumConcurrency != null) { update.maximumConcurrency(maximumConcurrency); }
      if (timeout != null) { update.timeout(timeout); }
      if (retryCount != null) { update.retryCount(retryCount); }
      if (jobProcess != null) { update.jobProcess(JobProcess.parse(jobProcess)); }
      if (maxJobsPerProcess != null) { update.maxJobsPerProcess(maxJobsPerProcess); }
      if (queue != null) { update.queue(queue); }
      if (priority != null) { update.priority(priority); }
      if (nodeLabel != null) { update.nodeLabel(nodeLabel); }
      if (!environment.isEmpty()) { update.environment(environment); }
      if (autoStart != null) { update.autoStart(autoStart); }
      update.save();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a function, its jobs and logs (refused while jobs run); results are kept unless "
          + "--delete-results.",
      footer = {"", "Examples:", "  spool function delete k3mz8q2hxa", "  spool function delete k3mz8q2hxa --delete-results"})
  static final class Delete extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String id;
    @Option(names = "--delete-results", description = "delete its results too")
    boolean deleteResults;

    @Override
    public Integer call() {
      try (Spool spool = connection.get()) {
        Function.get(spool, id).delete(deleteResults);
        out().println("deleted " + id);
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "wait", mixinStandardHelpOptions = true,
      description = "Wait until none of a function's jobs is pending or running (jobs submitted meanwhile too; with "
          + "none submitted, until it is built), showing progress. Exit 0 if all its jobs succeeded, 1 if any failed, "
          + "timed out or was canceled, 3 if its build failed, 4 if waiting timed out. Ctrl-C cancels its unfinished jobs unless "
          + "--no-cancel-on-interrupt.",
      footer = {"", "Examples:", "  spool function wait k3mz8q2hxa --timeout 3600",
          "  spool function wait k3mz8q2hxa --progress never --no-cancel-on-interrupt"})
  static final class Wait extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String id;
    @Option(names = "--timeout", description = "seconds to wait (default ${DEFAULT-VALUE})", defaultValue = "3600")
    long timeout;
    @Mixin
    JobCommands.WaitOptions waitOptions;

    @Override
    public Integer call() throws Exception {
      ProgressPrinter.Mode mode = waitOptions.mode();
      try (Spool spool = connection.get()) {
        Function f = Function.get(spool, id);
        if (f.jobStatistics().values().stream().mapToLong(Long::longValue).sum() == 0
            && (f.status() == FunctionStatus.BUILDING || f.status() == FunctionStatus.AWAITING_BUNDLE)) {
          // nothing submitted yet: wait for the build
          int built = waitBuilt(f, timeout, err());
          if (built != SpoolCli.EXIT_OK) {
            return built;
          }
        }
        Map<JobStatus, Long> counts;
        try (CancelOnInterrupt hook = CancelOnInterrupt.during(!waitOptions.noCancelOnInterrupt,
                () -> f.jobs().status(JobStatus.PENDING, JobStatus.RUNNING).list(), err());
            ProgressPrinter progress = new ProgressPrinter(out(), mode,
                c -> c.values().stream().mapToLong(Long::longValue).sum(), f::jobStatistics)) {
          try {
            counts = f.waitForCompletion(Duration.ofSeconds(timeout));
          } catch (TimeoutException e) {
            progress.done(f.jobStatistics());
            err().println("spool: " + e.getMessage());
            return SpoolCli.EXIT_TIMEOUT;
          } catch (BuildFailedException e) {
            progress.done(f.jobStatistics());
            err().println("spool: " + e.getMessage());
            return SpoolCli.EXIT_BUILD_FAILED;
          }
          progress.done(counts);
        }
        long notSucceeded = counts.entrySet().stream()
            .filter(e -> e.getKey().isTerminal() && e.getKey() != JobStatus.SUCCESS)
            .mapToLong(Map.Entry::getValue).sum();
        if (counts.get(JobStatus.FAILURE) > 0 && f.refresh().status() == FunctionStatus.BUILD_FAILED) {
          err().println("spool: " + JobWaiter.neverRan("its job(s)", f));
          return SpoolCli.EXIT_BUILD_FAILED;
        }
        return notSucceeded == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_JOBS_FAILED;
      }
    }
  }

  /** Waits for a function's build; the exit code says how it ended (a failure's reason goes to {@code err}). */
  static int waitBuilt(Function f, long seconds, PrintWriter err) throws InterruptedException {
    try {
      f.waitUntilBuilt(Duration.ofSeconds(seconds));
      return SpoolCli.EXIT_OK;
    } catch (BuildFailedException | TimeoutException e) {
      err.println("spool: " + e.getMessage());
      return e instanceof BuildFailedException ? SpoolCli.EXIT_BUILD_FAILED : SpoolCli.EXIT_TIMEOUT;
    }
  }
}
