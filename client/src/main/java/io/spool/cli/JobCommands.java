package io.spool.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool job …}: submit, wait, and read results and logs. */
@Command(name = "job", description = "Submit jobs and read their state, results and logs.",
    subcommands = {JobCommands.Submit.class, JobCommands.Wait.class, JobCommands.Get.class, JobCommands.Result.class,
        JobCommands.Log.class})
final class JobCommands {

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Submit jobs: one per ARGS (a JSON array of positional arguments, or one JSON value), "
          + "or one per line of a JSON Lines file.",
      footer = {"", "Examples:", "  spool job submit k3mz8q2hxa 5            # hello(5)",
          "  spool job submit k3mz8q2hxa '[1, 2]' '[3, 4]'", "  seq 1 100 | spool job submit k3mz8q2hxa --file -"})
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
    @Option(names = "--wait", description = "wait for the jobs and exit with their outcome")
    boolean waitForJobs;
    @Option(names = "--timeout", description = "with --wait: seconds to wait (default ${DEFAULT-VALUE})", defaultValue = "3600")
    long timeout;

    @Override
    public Integer call() throws Exception {
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
        List<Job> jobs = Function.get(spool, functionId).map(argsList, kwargsList);
        jobs.forEach(j -> out().println(j.id()));
        return waitForJobs ? Wait.await(jobs, Duration.ofSeconds(timeout), out(), err()) : SpoolCli.EXIT_OK;
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

  @Command(name = "wait", mixinStandardHelpOptions = true,
      description = "Wait for jobs to end. Exit 0 if all succeeded, 1 if any failed, timed out or was canceled, "
          + "4 if waiting timed out.")
  static final class Wait extends ConnectedCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JOB_ID", arity = "1..*")
    List<String> ids;
    @Option(names = "--timeout", description = "seconds to wait (default ${DEFAULT-VALUE})", defaultValue = "3600")
    long timeout;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        List<Job> jobs = new ArrayList<>();
        for (String id : ids) {
          jobs.add(Job.get(spool, id));
        }
        return await(jobs, Duration.ofSeconds(timeout), out(), err());
      }
    }

    static int await(List<Job> jobs, Duration timeout, java.io.PrintWriter out, java.io.PrintWriter err)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      Map<JobStatus, Integer> counts = new EnumMap<>(JobStatus.class);
      int done = 0;
      for (Job job : jobs) {
        try {
          JobStatus status = job.waitForCompletion(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
          counts.merge(status, 1, Integer::sum);
          done++;
          out.printf("%s %s%s%n", job.id(), status, job.errorReason() == null ? "" : " " + job.errorReason());
        } catch (TimeoutException e) {
          err.println("spool: " + (jobs.size() - done) + " of " + jobs.size() + " jobs have not ended: " + e.getMessage());
          return SpoolCli.EXIT_TIMEOUT;
        }
      }
      out.println("done: " + counts);
      return counts.getOrDefault(JobStatus.SUCCESS, 0) == jobs.size() ? SpoolCli.EXIT_OK : SpoolCli.EXIT_JOBS_FAILED;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a job.")
  static final class Get extends ConnectedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;

    @Override
    public Integer call() throws Exception {
      try (Spool spool = connection.get()) {
        Job job = Job.get(spool, id);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", job.id());
        node.put("functionId", job.functionId());
        node.put("status", job.status().name());
        node.put("executionCount", job.executionCount());
        if (job.exitCode() != null) { node.put("exitCode", job.exitCode()); }
        if (job.errorReason() != null) { node.put("errorReason", job.errorReason()); }
        if (job.runtime() != null) { node.put("runtime", job.runtime()); }
        node.put("creationDate", String.valueOf(job.creationDate()));
        out().println(Json.values().writeValueAsString(node));
        return SpoolCli.EXIT_OK;
      }
    }
  }

  @Command(name = "result", mixinStandardHelpOptions = true,
      description = "Print a job's result (JSON as stored; bytes as they are), or write it to a file.")
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
      description = "Print a job's log (its stdout and stderr), each line with its UTC time.")
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
}
