package io.spool.appmaster;

import java.util.Set;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerStatus;

/** Whose fault it was that an executor container ended: the platform's (its job runs again, uncharged) or the job's. */
final class ContainerExits {

  /** How a container's end counts against the job it was running. */
  enum Fault { NONE, PLATFORM, JOB }

  private static final Set<Integer> PLATFORM = Set.of(
      ContainerExitStatus.PREEMPTED, ContainerExitStatus.ABORTED, ContainerExitStatus.DISKS_FAILED,
      ContainerExitStatus.KILLED_BY_RESOURCEMANAGER, ContainerExitStatus.KILLED_BY_APPMASTER,
      ContainerExitStatus.KILLED_AFTER_APP_COMPLETION, ContainerExitStatus.KILLED_BY_CONTAINER_SCHEDULER,
      ContainerExitStatus.KILLED_FOR_EXCESS_LOGS, ContainerExitStatus.INVALID);

  private static final Set<Integer> MEMORY = Set.of(
      ContainerExitStatus.KILLED_EXCEEDED_PMEM, ContainerExitStatus.KILLED_EXCEEDED_VMEM);

  /** Exit statuses above this are 128 + the number of the signal that killed the process. */
  private static final int SIGNALED = 128;

  private ContainerExits() {}

  static Fault classify(ContainerStatus status) {
    int exit = status.getExitStatus();
    if (exit == ContainerExitStatus.SUCCESS) {
      return Fault.NONE;
    }
    if (PLATFORM.contains(exit) || exit > SIGNALED) {
      // YARN's own decisions, and a runner killed by a signal from outside (the node, an operator)
      return Fault.PLATFORM;
    }
    // a memory kill by YARN, or the runner itself failing while it ran a job, is the job's doing
    return Fault.JOB;
  }

  /** A sentence for the job's errorReason. */
  static String describe(ContainerStatus status) {
    int exit = status.getExitStatus();
    if (MEMORY.contains(exit)) {
      return "the job's container was killed by YARN for exceeding its memory (exit status " + exit + ")";
    }
    return "the job's container ended with exit status " + exit;
  }
}
