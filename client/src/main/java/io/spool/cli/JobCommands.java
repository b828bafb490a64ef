package io.spool.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.JobSearch;
import io.spool.client.Spool;
import io.spool.client.view.JobView;
import io.spool.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool job …}: submit, wait, and read results and logs. */
@Command(name = "job", mixinStandardHelpOptions = true,
    description = "Submit jobs and read their state, results and logs.",
    subcommands = {JobCommands.Submit.class, JobCommands.Wait.class, JobCommands.Get.class,
        JobCommands.ListJobs.class, JobCommands.Cancel.class, JobCommands.Rerun.class, JobCommands.Delete.class,
        JobCommands.Result.class, JobCommands.Log.class})
final class JobCommands {

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Submit jobs: one per ARGS (a JSON array of positional arguments, or one JSON value), "
          + "or one per line of a JSON Lines file.",
      footer = {"", "Examples:", "  spool job submit k3mz8q2hxa 5            # hello(5)",
          "  spool job submit k3mz8q2hxa '[1, 2]' '[3, 4]' --tag tile --tag 2024",
          "  seq 1 100 | spool job submit k3mz8q2hxa --file - --wait"})
  static final class Submit extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String functionId;
    @Parameters(index = "1..*", paramLabel = "ARGS", description = "one job's arguments as JSON")
    List<String> args = new ArrayList<>();
    @Option(names = "--kwargs", description = "keyword arguments of every job, a JSON object")
    String kwargs;
    @Option(names = "--file", description = "JSON Lines file of jobs ('-' for stdin): each line an array of "
        + "arguments, one value, or {\"args\": [...], \"kwargs\": {...}}")
    String file;
    @Option(names = "--tag", description = "a tag of every job, to search by later (repeatable)")
    List<String> tags = new ArrayList<>();
    @Option(names = "--wait", description = "wait for the jobs and exit with their outcome (as 'spool job wait')")
    boolean waitForJobs;
    @Option(names = "--timeout", description = "with --wait: seconds to wait (default ${DEFAULT-VALUE})", defaultValue = "3600")
    long timeout;
    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() throws Exception {
      ProgressPrinter.Mode mode = waitOptions.mode();
      List<List<Object>> argsList = new ArrayList<>();
      List<Map<String, Object>> kwargsList = new ArrayList<>();
      Map<String, Object> common = kwargs == null ? Map.of() : asMap(Json.values().readTree(kwargs), "--kwargs");
      for (String a : args) {
        argsList.add(asArgs(parse(a)));
        kwargsList.add(common);
      }
      if (file != null) {
        try (BufferedReader reader = new BufferedReader(open(file))) {
          String line;
          int n = 0;
          while ((line = reader.readLine()) != null) {
            n++;
            if (line.isBlank()) {
              continue;
            }
            JsonNode node = parse(line);
            if (node.isObject() && node.has("args")) {
              argsList.add(asArgs(node.get("args")));
              kwargsList.add(node.has("kwargs") ? asMap(node.get("kwargs"), "line " + n + " kwargs") : common);
            } else {
              argsList.add(asArgs(node));
              kwargsList.add(common);
            }
          }
        }
      }
      if (argsList.isEmpty()) {
        throw new IllegalArgumentException("no jobs to submit: give ARGS or --file");
      }
      try (Spool spool = connection.get()) {
        List<Job> jobs = Function.get(spool, functionId).submit().tags(tags.toArray(new String[0]))
            .map(argsList, kwargsList);
        jobs.forEach(j -> out().println(j.id()));
        out().flush();
        return waitForJobs ? new JobWaiter(spool, mode, !waitOptions.noCancelOnInterrupt, out(), err())
            .await(jobs, Duration.ofSeconds(timeout)) : SpoolCli.EXIT_OK;
      }
    }

    private static Reader open(String file) throws IOException {
      return "-".equals(file) ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
          : Files.newBufferedReader(Path.of(file));
    }

    private static JsonNode parse(String text) {
      try {
        return Json.values().readTree(text);
      } catch (IOException e) {
        throw new IllegalArgumentException("'" + text + "' is not JSON: " + e.getMessage());
      }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asArgs(JsonNode node) {
      if (node.isArray()) {
        return Json.values().convertValue(node, List.class);
      }
      List<Object> one = new ArrayList<>();
      one.add(Json.values().convertValue(node, Object.class));
      return one;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JsonNode node, String what) {
      if (!node.isObject()) {
        throw new IllegalArgumentException(what + " must be a JSON object");
      }
      return Json.values().convertValue(node, Map.class);
    }
  }

  /** How a wait shows progress and whether Ctrl-C cancels. */
  static final class WaitOptions {
    @Option(names = "--progress", description = "a progress bar redrawn in place (always), plain lines every few "
        + "seconds (never), or a bar when on a terminal (auto, the default)", defaultValue = "auto")
    String progress;
    @Option(names = "--no-cancel-on-interrupt", description = "on Ctrl-C leave the unfinished jobs running "
        + "(by default they are canceled)")
    boolean noCancelOnInterrupt;

    ProgressPrinter.Mode mode() {
      try {
        return ProgressPrinter.Mode.valueOf(progress.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--progress must be auto, always or never, not '" + progress + "'");
      }
    }
  }

  @Command(name = "wait", mixinStandardHelpOptions = true,
      description = "Wait for jobs to end, showing progress. Exit 0 if all succeeded, 1 if any failed, timed out or "
          + "was canceled, 3 if their function's build failed, 4 if waiting timed out. Ctrl-C cancels the jobs "
          + "that have not ended unless --no-cancel-on-interrupt.",
      footer = {"", "Examples:", "  spool job wait k3mz8q2hxa-1 k3mz8q2hxa-2 --timeout 600",
          "  spool job wait $(spool job submit k3mz8q2hxa 1 2 3) --progress never --no-cancel-on-interrupt"})
  static final class Wait extends ConnectedCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JOB_ID", arity = "1..*")
    List<String> ids;
    @Option(names = "--timeout", description = "seconds to wait (default ${DEFAULT-VALUE})", defaultValue = "3600")
    long timeout;
    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() throws Exception {
      ProgressPrinter.Mode mode = waitOptions.mode();
      try (Spool spool = connection.get()) {
        List<Job> jobs = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
          jobs.add(Job.get(spool, id));
        }
        return new JobWaiter(spool, mode, !waitOptions.noCancelOnInterrupt, out(), err())
            .await(jobs, Duration.ofSeconds(timeout));
      }
    }
  }

  /** A job as JSON: the shape of {@code job get --json} and of each element of {@code job list --json}. */
  static ObjectNode describe(Job job) {
    return Json.values().valueToTree(JobView.of(job, false));
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a job.",
      footer = {"", "Example:", "  spool job get k3mz8q2hxa-1 --json"})
  static final class Get extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;
    @Option(names = "--json", description = "print one line of JSON (indented otherwise)")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        ObjectNode node = Json.values().valueToTree(JobView.of(Job.get(spool, id), true));
        out().println(json ? Json.values().writeValueAsString(node)
            : Json.values().writerWithDefaultPrettyPrinter().writeValueAsString(node));
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "result", mixinStandardHelpOptions = true,
      description = "Print a job's result (JSON as stored; bytes as they are), or write it to a file.",
      footer = {"", "Examples:", "  spool job result k3mz8q2hxa-1", "  spool job result k3mz8q2hxa-1 -o result.bin"})
  static final class Result extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;
    @Option(names = {"-o", "--output"}, description = "write the result to this file")
    Path output;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        byte[] bytes = Job.get(spool, id).resultBytes();
        if (output != null) {
          Files.write(output, bytes == null ? new byte[0] : bytes);
        } else if (bytes != null) {
          out().println(new String(bytes, StandardCharsets.UTF_8));
        }
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "log", mixinStandardHelpOptions = true,
      description = "Print a job's log (its stdout and stderr), each line with its UTC time.",
      footer = {"", "Examples:", "  spool job log k3mz8q2hxa-1 --follow", "  spool job log k3mz8q2hxa-1 --attempt 1 --no-timestamps"})
  static final class Log extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;
    @Option(names = "--attempt", description = "which attempt (default: the latest)")
    Integer attempt;
    @Option(names = "--no-timestamps", description = "leave out the time at the start of each line")
    boolean noTimestamps;
    @Option(names = {"-f", "--follow"}, description = "print lines as the job writes them, until it ends")
    boolean follow;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        Job job = Job.get(spool, id);
        if (follow) {
          try (var lines = job.followLog(!noTimestamps)) {
            lines.forEach(line -> {
              out().println(line);
              out().flush();
            });
          }
        } else {
          out().print(attempt == null ? job.log(!noTimestamps) : job.log(attempt, !noTimestamps));
        }
        out().flush();
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "list", aliases = "search", mixinStandardHelpOptions = true,
      description = "List a function's jobs, filtered and sorted, a page at a time.",
      footer = {"", "Examples:", "  spool job list k3mz8q2hxa --status FAILURE --status TIMEOUT --sort runtime --descending",
          "  spool job search k3mz8q2hxa --tag tile --min-executions 2 --page 1 --page-size 50 --json"})
  static final class ListJobs extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FUNCTION_ID")
    String functionId;
    @Mixin
    JobFilters filters;
    @Option(names = "--page", description = "page number, from 0 (default ${DEFAULT-VALUE})", defaultValue = "0")
    int page;
    @Option(names = "--page-size", description = "jobs per page (default ${DEFAULT-VALUE})", defaultValue = "100")
    int pageSize;
    @Option(names = "--json", description = "print a JSON array (each job as 'spool job get --json' prints it)")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (page < 0 || pageSize < 1) {
        throw new IllegalArgumentException("--page must be at least 0 and --page-size at least 1");
      }
      try (Spool spool = connection.get()) {
        List<Job> jobs = filters.apply(Function.get(spool, functionId).jobs()).page(page, pageSize);
        if (json) {
          ArrayNode array = JsonNodeFactory.instance.arrayNode();
          jobs.forEach(j -> array.add(describe(j)));
          out().println(Json.values().writeValueAsString(array));
        } else {
          out().printf("%-16s %-10s %10s %9s  %s%n", "ID", "STATUS", "EXECUTIONS", "RUNTIME", "ERROR");
          for (Job j : jobs) {
            out().printf("%-16s %-10s %10d %9s  %s%n", j.id(), j.status(), j.executionCount(),
                j.runtime() == null ? "-" : String.format(Locale.ROOT, "%.2fs", j.runtime()),
                j.errorReason() == null ? "" : j.errorReason());
          }
        }
        return SpoolCli.EXIT_OK;
      }
    }
  }

  /** The jobs an action applies to: ids, or a search over one function's jobs. */
  abstract static class JobAction extends ConnectedCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JOB_ID", arity = "0..*", description = "the jobs (or use --function with filters)")
    List<String> ids = new ArrayList<>();
    @Option(names = "--function", paramLabel = "FUNCTION_ID", description = "act on this function's jobs that the "
        + "filters match")
    String functionId;
    @Mixin
    JobFilters filters;
    @Option(names = "--json", description = "print the count as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (ids.isEmpty() == (functionId == null)) {
        throw new IllegalArgumentException("give either JOB_IDs or --function FUNCTION_ID (with filters)");
      }
      if (!ids.isEmpty() && filters.any()) {
        throw new IllegalArgumentException("filters need --function; with JOB_IDs every job named is acted on");
      }
      try (Spool spool = connection.get()) {
        List<String> done = new ArrayList<>();
        int count;
        if (functionId != null) {
          Function function = Function.get(spool, functionId);
          count = act(function, filters.apply(function.jobs()), done);
        } else {
          Map<String, List<Job>> byFunction = new LinkedHashMap<>();
          for (String id : new LinkedHashSet<>(ids)) {
            Job job = Job.get(spool, id);
            byFunction.computeIfAbsent(job.functionId(), f -> new ArrayList<>()).add(job);
          }
          count = 0;
          for (Map.Entry<String, List<Job>> group : byFunction.entrySet()) {
            count += act(Function.get(spool, group.getKey()), group.getValue(), done);
          }
        }
        if (json) {
          out().println(Json.values().writeValueAsString(Map.of(verb(), count)));
        } else {
          done.forEach(out()::println);
          err().println(verb() + " " + count + " job(s)");
        }
        return SpoolCli.EXIT_OK;
      }
    }

    /** What was done, for the summary: "canceled", "rerun", "deleted". */
    abstract String verb();

    /** Acts on a search's matches; adds the ids acted on to {@code done} (if known) and returns how many. */
    abstract int act(Function function, JobSearch search, List<String> done);

    /** Acts on these jobs of {@code function}. */
    abstract int act(Function function, List<Job> jobs, List<String> done);

    static int ids(List<Job> jobs, List<String> done) {
      jobs.forEach(j -> done.add(j.id()));
      return jobs.size();
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel PENDING and RUNNING jobs (others are left as they are); prints the ids canceled.",
      footer = {"", "Examples:", "  spool job cancel k3mz8q2hxa-7 k3mz8q2hxa-8",
          "  spool job cancel --function k3mz8q2hxa --tag tile --status PENDING --json"})
  static final class Cancel extends JobAction {
    @Override
    String verb() {
      return "canceled";
    }

    @Override
    int act(Function function, JobSearch search, List<String> done) {
      return ids(function.cancelJobs(search), done);
    }

    @Override
    int act(Function function, List<Job> jobs, List<String> done) {
      return ids(function.cancelJobs(jobs), done);
    }
  }

  @Command(name = "rerun", mixinStandardHelpOptions = true,
      description = "Run FAILURE, TIMEOUT and CANCELED jobs again (others are left as they are); prints the ids rerun.",
      footer = {"", "Examples:", "  spool job rerun k3mz8q2hxa-3",
          "  spool job rerun --function k3mz8q2hxa --status FAILURE --max-executions 2"})
  static final class Rerun extends JobAction {
    @Override
    String verb() {
      return "rerun";
    }

    @Override
    int act(Function function, JobSearch search, List<String> done) {
      return ids(function.rerun(search), done);
    }

    @Override
    int act(Function function, List<Job> jobs, List<String> done) {
      return ids(function.rerun(jobs), done);
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete jobs that are not running, with their logs (and results with --delete-results).",
      footer = {"", "Examples:", "  spool job delete k3mz8q2hxa-3 k3mz8q2hxa-4",
          "  spool job delete --function k3mz8q2hxa --status SUCCESS --delete-results --json"})
  static final class Delete extends JobAction {
    @Option(names = "--delete-results", description = "delete their results too (kept by default)")
    boolean deleteResults;

    @Override
    String verb() {
      return "deleted";
    }

    @Override
    int act(Function function, JobSearch search, List<String> done) {
      return function.deleteJobs(search, deleteResults);
    }

    @Override
    int act(Function function, List<Job> jobs, List<String> done) {
      return function.deleteJobs(jobs, deleteResults);
    }
  }
}
