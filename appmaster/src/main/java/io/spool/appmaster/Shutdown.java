package io.spool.appmaster;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The master's one shutdown funnel: the first caller decides how the attempt ends; later callers are ignored. */
final class Shutdown {

  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  /** Exit codes of the master process. */
  static final int EXIT_SUCCESS = 0;
  static final int EXIT_FAILURE = 1;
  static final int EXIT_LOST_LEADERSHIP = 3;

  /**
   * Why the master stops.
   *
   * @param status what YARN is told
   * @param exitCode the process's exit code
   * @param message a sentence for the application's diagnostics
   * @param unregister whether to unregister (only when this attempt's end is the application's end)
   */
  record Reason(FinalApplicationStatus status, int exitCode, String message, boolean unregister) {}

  private final AtomicReference<Reason> reason = new AtomicReference<>();
  private final CountDownLatch requested = new CountDownLatch(1);

  /** Requests shutdown; true if this call decided the reason. */
  boolean request(Reason why) {
    if (reason.compareAndSet(null, why)) {
      LOG.info("master stopping: {} ({})", why.message(), why.status());
      requested.countDown();
      return true;
    }
    return false;
  }

  boolean isRequested() {
    return reason.get() != null;
  }

  Reason reason() {
    return reason.get();
  }

  /** Waits up to {@code millis} for a shutdown request; true if one came. */
  boolean await(long millis) throws InterruptedException {
    return requested.await(millis, TimeUnit.MILLISECONDS);
  }
}
