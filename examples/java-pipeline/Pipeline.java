import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.model.JobStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small pipeline on Spool's client library: create a function, map it over some lines, take each job as it ends,
 * then read all results and combine them.
 *
 * <p>Run from the repository root, against the cluster of {@code ~/.spool/conf} (or {@code $SPOOL_CONF_DIR}):
 * {@code examples/java-pipeline/run.sh}.
 */
public final class Pipeline {

  static final List<String> LINES = List.of(
      "the quick brown fox",
      "jumps over the lazy dog",
      "Spool runs Python jobs on YARN",
      "one",
      "results outlive their jobs and functions");

  private Pipeline() {
  }

  /** Runs the pipeline on {@code spool} with the function in {@code wordsPy}; returns the total word count. */
  public static int run(Spool spool, Path wordsPy, PrintStream out) throws Exception {
    Function words = Function.builder(spool, wordsPy + ":count_words")
        .memory("256Mi").maximumConcurrency(3).timeout(300).retryCount(1)
        .build()
        .save();
    out.println("function " + words.id() + " " + words.status());

    List<Job> jobs = words.map(LINES.stream().map(List::of).toList());
    for (Job done : words.asCompleted(jobs, Duration.ofMinutes(10))) {
      out.println("ended " + done.id() + " " + done.status());
      if (done.status() != JobStatus.SUCCESS) {
        throw new IllegalStateException(done.id() + " " + done.status() + ": " + done.errorReason());
      }
    }

    int total = 0;
    for (Object result : words.results()) {
      Map<?, ?> counted = (Map<?, ?>) result;
      total += ((Number) counted.get("words")).intValue();
      out.println(counted.get("words") + " words, longest '" + counted.get("longest") + "': " + counted.get("line"));
    }
    out.println("total " + total + " words in " + jobs.size() + " jobs");
    return total;
  }

  public static void main(String[] args) throws Exception {
    Path wordsPy = Path.of(args.length > 0 ? args[0] : "examples/java-pipeline/words.py").toAbsolutePath();
    try (Spool spool = Spool.connect()) {
      run(spool, wordsPy, System.out);
    }
  }
}
