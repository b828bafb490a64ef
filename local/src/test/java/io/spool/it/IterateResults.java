package io.spool.it;

import io.spool.client.Function;
import io.spool.client.JobResult;
import io.spool.client.Spool;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * Iterates a function's results in a JVM of its own, so that a test can give it a small heap:
 * {@code IterateResults <configuration.xml> <functionId>} prints {@code count=<n> sum=<sum of "i"> millis=<t>}.
 */
public final class IterateResults {

  private IterateResults() {}

  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration(false);
    conf.addResource(new org.apache.hadoop.fs.Path(args[0]));
    try (Spool spool = Spool.connect(conf)) {
      long start = System.nanoTime();
      long count = 0;
      long sum = 0;
      try (Stream<JobResult<Object>> results = Function.get(spool, args[1]).iterResults()) {
        for (JobResult<Object> r : (Iterable<JobResult<Object>>) results::iterator) {
          count++;
          sum += ((Number) ((Map<?, ?>) r.value()).get("i")).longValue();
        }
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.println("count=" + count + " sum=" + sum + " millis=" + millis
          + " heapMaxMiB=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
  }
}
