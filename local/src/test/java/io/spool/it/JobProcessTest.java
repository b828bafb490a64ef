package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobProcess;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job process of a function on the embedded cluster: fresh processes keep jobs apart, a reused one carries
 * module globals from job to job until it is replaced (after a failed job, or its maxJobsPerProcess jobs).
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class JobProcessTest {

  private static final Duration WAIT = Duration.ofMinutes(3);

  private Spool spool;

  @BeforeAll
  void connect(Configuration conf) throws Exception {
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    spool = Spool.connect(conf);
  }

  @AfterAll
  void close() {
    spool.close();
  }

  /** A function of one executor, so that its jobs run one after another in one worker. */
  private Function.Builder counting() {
    return Function.builder(spool, TestSetup.python("processes.py") + ":count").memory(256).maximumConcurrency(1);
  }

  /** Runs the calls one after another; returns what each returned ({@code calls}, {@code pid}). */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Integer>> run(Function f, boolean... fail) throws Exception {
    List<Map<String, Integer>> results = new ArrayList<>();
    for (boolean failing : fail) {
      Job job = f.call(failing);
      JobStatus status = job.waitForCompletion(WAIT);
      if (failing) {
        assertEquals(JobStatus.FAILURE, status);
        results.add(null);
      } else {
        assertEquals(JobStatus.SUCCESS, status, job::errorReason);
        results.add((Map<String, Integer>) job.result());
      }
    }
    return results;
  }

  private static List<Integer> field(List<Map<String, Integer>> results, String name) {
    return results.stream().map(r -> r == null ? null : r.get(name)).toList();
  }

  @Test
  void aFreshProcessPerJobNeverLetsAJobSeeWhatAnotherLeftInItsModule() throws Exception {
    Function fresh = counting().build().save();
    assertEquals(JobProcess.FRESH, fresh.jobProcess(), "the default (spool.function.job-process)");
    List<Map<String, Integer>> results = run(fresh, false, false, false, false);
    assertEquals(List.of(1, 1, 1, 1), field(results, "calls"), "each job starts from the imported module");
    assertEquals(4, new HashSet<>(field(results, "pid")).size(), "a process per job: " + results);
  }

  @Test
  void aReusedProcessCarriesGlobalsUntilAJobFailsThenAFreshOneTakesOver() throws Exception {
    Function reused = counting().jobProcess(JobProcess.REUSED).build().save();
    assertEquals(JobProcess.REUSED, Function.get(spool, reused.id()).jobProcess());
    List<Map<String, Integer>> results = run(reused, false, false, false, true, false, false);
    assertEquals(java.util.Arrays.asList(1, 2, 3, null, 1, 2), field(results, "calls"));
    List<Integer> pids = field(results, "pid");
    assertEquals(pids.get(0), pids.get(2), "one process for the first three jobs: " + results);
    assertNotEquals(pids.get(0), pids.get(4), "the failed job's process was replaced: " + results);
    assertEquals(pids.get(4), pids.get(5));
  }

  @Test
  void aReusedProcessIsReplacedAfterItsMaximumOfJobsAndAnUpdateTakesEffectForLaterJobs() throws Exception {
    Function limited = counting().jobProcess(JobProcess.REUSED).maxJobsPerProcess(2).build().save();
    assertEquals(List.of(1, 2, 1, 2, 1), field(run(limited, false, false, false, false, false), "calls"));
    limited.update().jobProcess(JobProcess.FRESH).save();
    assertEquals(List.of(1, 1), field(run(limited, false, false), "calls"), "fresh from the next job on");
  }
}
