package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerState;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.junit.jupiter.api.Test;

class ContainerExitsTest {

  private static ContainerStatus exit(int status) {
    return ContainerStatus.newInstance(ContainerId.fromString("container_1_0001_01_000002"), ContainerState.COMPLETE,
        "diagnostics", status);
  }

  @Test
  void yarnsOwnDecisionsAndSignalsAreThePlatformsFault() {
    for (int status : new int[] {ContainerExitStatus.PREEMPTED, ContainerExitStatus.ABORTED,
        ContainerExitStatus.DISKS_FAILED, ContainerExitStatus.KILLED_BY_RESOURCEMANAGER,
        ContainerExitStatus.KILLED_BY_APPMASTER, 137, 143}) {
      assertEquals(ContainerExits.Fault.PLATFORM, ContainerExits.classify(exit(status)), "exit " + status);
    }
  }

  @Test
  void memoryKillsAndRunnerFailuresAreTheJobsFault() {
    assertEquals(ContainerExits.Fault.JOB, ContainerExits.classify(exit(ContainerExitStatus.KILLED_EXCEEDED_PMEM)));
    assertEquals(ContainerExits.Fault.JOB, ContainerExits.classify(exit(1)));
    assertTrue(ContainerExits.describe(exit(ContainerExitStatus.KILLED_EXCEEDED_PMEM)).contains("memory"));
  }

  @Test
  void aCleanExitIsNobodysFault() {
    assertEquals(ContainerExits.Fault.NONE, ContainerExits.classify(exit(0)));
  }
}
