package io.spool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.JobStatus;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How waits render progress: the bar, the plain lines and the final counts. */
class WaitProgressTest {

  private static Map<JobStatus, Long> counts(Object... statusAndCount) {
    Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
    for (int i = 0; i < statusAndCount.length; i += 2) {
      counts.put((JobStatus) statusAndCount[i], ((Number) statusAndCount[i + 1]).longValue());
    }
    return counts;
  }

  @Test
  void countsListOnlyNonZeroStatusesInStatusOrder() {
    assertEquals("RUNNING=2 SUCCESS=6 FAILURE=1",
        WaitProgress.counts(counts(JobStatus.FAILURE, 1, JobStatus.SUCCESS, 6, JobStatus.PENDING, 0,
            JobStatus.RUNNING, 2)));
    assertEquals("none", WaitProgress.counts(counts()));
  }

  @Test
  void barShowsEndedOverTotalCountsRateAndEta() {
    String bar = WaitProgress.bar(counts(JobStatus.SUCCESS, 6, JobStatus.FAILURE, 1, JobStatus.RUNNING, 3), 20,
        Duration.ofSeconds(5));
    assertEquals("[##########....................] 7/20 RUNNING=3 SUCCESS=6 FAILURE=1  1.4 jobs/s  ETA 0:09", bar);
  }

  @Test
  void barIsFullAndEtaZeroWhenAllEnded() {
    String bar = WaitProgress.bar(counts(JobStatus.SUCCESS, 4), 4, Duration.ofSeconds(2));
    assertTrue(bar.startsWith("[" + "#".repeat(30) + "] 4/4 SUCCESS=4  2.0 jobs/s  ETA 0:00"), bar);
  }

  @Test
  void beforeAnyJobEndsThereIsNoRateAndNoEta() {
    assertTrue(WaitProgress.bar(counts(JobStatus.PENDING, 3), 3, Duration.ZERO).endsWith("0.0 jobs/s  ETA -"));
  }

  @Test
  void plainLineIsOneLogLineWithoutCarriageReturns() {
    String line = WaitProgress.plain(counts(JobStatus.SUCCESS, 1, JobStatus.PENDING, 1), 2, Duration.ofSeconds(4));
    assertEquals("waiting: 1/2 ended, PENDING=1 SUCCESS=1, 0.3 jobs/s, ETA 0:04", line);
  }

  @Test
  void doneLineHasTheFinalCounts() {
    assertEquals("done: SUCCESS=19 FAILURE=1", WaitProgress.done(counts(JobStatus.SUCCESS, 19, JobStatus.FAILURE, 1)));
  }

  @Test
  void clockShowsHoursOnlyFromAnHourOn() {
    assertEquals("0:59", WaitProgress.clock(59));
    assertEquals("1:01:05", WaitProgress.clock(3665));
  }
}
