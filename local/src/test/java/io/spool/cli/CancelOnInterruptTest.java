package io.spool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What Ctrl-C during a wait does, by running the shutdown hook's action directly. */
@ExtendWith(SpoolClusterExtension.class)
@Timeout(300)
class CancelOnInterruptTest {

  @Test
  void theHookCancelsTheUnfinishedJobsAndSaysHowMany(Configuration conf) throws Exception {
    String jobsPy = Paths.get(CancelOnInterruptTest.class.getResource("/python/jobs.py").toURI()) + ":sleepy";
    try (Spool spool = Spool.connect(conf)) {
      Function fn = Function.builder(spool, jobsPy).memory(256).maximumConcurrency(1).build().save();
      List<Job> jobs = fn.map(List.of(List.of(0), List.of(60), List.of(60)));
      assertEquals(JobStatus.SUCCESS, jobs.get(0).waitForCompletion(Duration.ofMinutes(3)));
      StringWriter err = new StringWriter();
      int canceled;
      try (CancelOnInterrupt hook = CancelOnInterrupt.during(true, () -> jobs, new PrintWriter(err, true))) {
        canceled = hook.cancelUnfinished();
      }
      assertEquals(2, canceled);
      assertTrue(err.toString().contains("canceled 2 unfinished job(s)"), err.toString());
      for (Job job : jobs.subList(1, 3)) {
        assertEquals(JobStatus.CANCELED, job.waitForCompletion(Duration.ofMinutes(2)));
      }
    }
  }
}
