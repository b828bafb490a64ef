package io.spool.runner;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * The jobs the master has handed this executor and it has not begun, in order, and how many more it asks for. An
 * executor asks for the job it will run next and, when its jobs are short, a few more, so that the next job is at
 * hand when one ends rather than a round trip to the master away: as many as take {@value #AHEAD_MILLIS} ms at the
 * recent pace (a moving average of the jobs' times), at most {@code maxAhead}, none while jobs take
 * {@value #SLOW_MILLIS} ms or more (a job held here waits while another executor might run it). It asks again once
 * half of those ahead have been taken, for all it lacks: the master hands them out, and writes them RUNNING, together.
 */
final class HeldJobs {

  static final long AHEAD_MILLIS = 100;
  static final long SLOW_MILLIS = 500;
  private static final double WEIGHT = 0.2;

  /** Why no more jobs will come. */
  record End(String reason, java.io.IOException lost) {}

  private final int maxAhead;
  private final ArrayDeque<JobExecution.Job> waiting = new ArrayDeque<>();
  private int requested; // asked for, not yet handed over
  private boolean running;
  private double averageMillis = -1;
  private End end;

  /** @param maxAhead the most jobs held beyond the one running; 0 asks for one job at a time */
  HeldJobs(int maxAhead) {
    this.maxAhead = Math.max(0, maxAhead);
  }

  /** The master handed these over. */
  synchronized void add(List<JobExecution.Job> jobs) {
    waiting.addAll(jobs);
    requested = Math.max(0, requested - jobs.size());
    notifyAll();
  }

  /** Removes a job that waits; false if none with this id does. */
  synchronized boolean drop(String jobId) {
    return waiting.removeIf(job -> job.id().equals(jobId));
  }

  /** No more jobs will come: the next {@link #take} ends once it has none. */
  synchronized void end(End why) {
    if (end == null) {
      end = why;
    }
    notifyAll();
  }

  /** The next job to run (it counts as running until {@link #finished}); empty once the end has come. */
  synchronized Optional<JobExecution.Job> take() throws InterruptedException {
    while (waiting.isEmpty() && end == null) {
      wait();
    }
    if (end != null && end.lost() != null || waiting.isEmpty()) {
      return Optional.empty();
    }
    running = true;
    return Optional.of(waiting.poll());
  }

  /** The running job took {@code millis}, its storing included. */
  synchronized void finished(long millis) {
    running = false;
    averageMillis = averageMillis < 0 ? millis : WEIGHT * millis + (1 - WEIGHT) * averageMillis;
  }

  /** Whether a job runs or waits here. */
  synchronized boolean busy() {
    return running || !waiting.isEmpty();
  }

  /** Why no more jobs come, once that is known. */
  synchronized End ending() {
    return end;
  }

  /** How many more jobs to ask the master for now (counted as asked for); 0 for none. */
  synchronized int ask() {
    if (end != null) {
      return 0;
    }
    int ahead = ahead();
    int held = waiting.size() + (running ? 1 : 0) + requested;
    int wanted = 1 + ahead - held;
    if (wanted <= 0 || held > 0 && wanted < Math.max(1, ahead / 2)) {
      return 0;
    }
    requested += wanted;
    return wanted;
  }

  /** How many jobs to hold beyond the running one, at the recent pace. */
  synchronized int ahead() {
    if (averageMillis < 0 || averageMillis >= SLOW_MILLIS) {
      return 0;
    }
    return (int) Math.min(maxAhead, (long) Math.ceil(AHEAD_MILLIS / Math.max(averageMillis, 1.0)));
  }
}
