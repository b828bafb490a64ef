package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an executor holds and asks for, as its jobs go by. */
@Timeout(10)
class HeldJobsTest {

  private static JobExecution.Job job(String id) {
    return new JobExecution.Job(id, 1, null, null, Map.of(), 0, 0);
  }

  @Test
  void anExecutorAsksForOneJobUntilItKnowsItsJobsAreShortThenForAFewAhead() throws Exception {
    HeldJobs held = new HeldJobs(16);
    assertEquals(1, held.ask(), "at first: the job to run");
    assertEquals(0, held.ask(), "nothing more until it comes");
    held.add(List.of(job("abcdefghij-1")));
    assertEquals("abcdefghij-1", held.take().orElseThrow().id());
    assertEquals(0, held.ask(), "jobs of unknown length: none ahead");
    held.finished(5);
    assertEquals(16, held.ahead(), "5 ms jobs: 100 ms of them, at most 16");
    assertEquals(17, held.ask(), "the next job and 16 ahead");
    assertEquals(0, held.ask(), "asked for already");
    held.add(List.of(job("abcdefghij-2"), job("abcdefghij-3")));
    assertEquals(0, held.ask(), "15 of them are still to come");
    held.add(java.util.stream.IntStream.rangeClosed(4, 18).mapToObj(i -> job("abcdefghij-" + i)).toList());
    for (int i = 0; i < 7; i++) {
      held.take();
      held.finished(5);
      assertEquals(0, held.ask(), "fewer than half of those ahead taken: " + (i + 1));
    }
    held.take();
    held.finished(5);
    assertEquals(8, held.ask(), "half of them taken: all that it lacks, together");
  }

  @Test
  void slowJobsAreTakenOneAtATime() throws Exception {
    HeldJobs held = new HeldJobs(16);
    held.ask();
    held.add(List.of(job("abcdefghij-1")));
    held.take();
    held.finished(2_000);
    assertEquals(0, held.ahead());
    assertEquals(1, held.ask(), "only the next job");
    held.add(List.of(job("abcdefghij-2")));
    held.take();
    held.finished(40);
    assertEquals(0, held.ahead(), "one short job after a slow one does not make the jobs short");
    for (int i = 0; i < 20; i++) {
      held.finished(40);
    }
    assertTrue(held.ahead() >= 1 && held.ahead() <= 2, "the average follows the jobs: " + held.ahead());
    assertEquals(0, new HeldJobs(0).ahead(), "0: one job at a time, whatever their pace");
  }

  @Test
  void aWaitingJobCanBeDroppedAndTheEndStopsTheTaking() throws Exception {
    HeldJobs held = new HeldJobs(4);
    held.ask();
    held.add(List.of(job("abcdefghij-1"), job("abcdefghij-2")));
    assertTrue(held.drop("abcdefghij-2"));
    assertFalse(held.drop("abcdefghij-9"), "a job it does not hold");
    held.end(new HeldJobs.End("no more work", null));
    assertEquals("abcdefghij-1", held.take().orElseThrow().id(), "a stop lets the jobs held run");
    assertTrue(held.take().isEmpty());
    assertEquals(0, held.ask(), "nothing is asked for after the end");
  }

  @Test
  void theLossOfTheMasterDropsTheJobsThatWait() throws Exception {
    HeldJobs held = new HeldJobs(4);
    held.add(List.of(job("abcdefghij-1"), job("abcdefghij-2")));
    IOException lost = new IOException("the channel to the master closed");
    held.end(new HeldJobs.End(lost.getMessage(), lost));
    assertTrue(held.take().isEmpty());
    assertEquals(lost, held.ending().lost());
  }
}
