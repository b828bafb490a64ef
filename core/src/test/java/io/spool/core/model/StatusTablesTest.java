package io.spool.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StatusTablesTest {

  @Test
  void pendingJobCanStartBeCanceledOrFailWithTheBuildOnly() {
    assertEquals(EnumSet.of(JobStatus.RUNNING, JobStatus.CANCELED, JobStatus.FAILURE),
        JobStatus.TRANSITIONS.successors(JobStatus.PENDING));
  }

  @Test
  void runningJobEndsOrIsAskedToCancelOrGoesBackAfterAPlatformFault() {
    assertEquals(EnumSet.of(JobStatus.PENDING, JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.CANCEL),
        JobStatus.TRANSITIONS.successors(JobStatus.RUNNING));
  }

  @Test
  void jobAskedToCancelKeepsTheStatusItFinishedWith() {
    assertTrue(JobStatus.TRANSITIONS.allows(JobStatus.CANCEL, JobStatus.SUCCESS));
    assertTrue(JobStatus.TRANSITIONS.allows(JobStatus.CANCELING, JobStatus.FAILURE));
    assertTrue(JobStatus.TRANSITIONS.allows(JobStatus.CANCEL, JobStatus.CANCELING));
    assertFalse(JobStatus.TRANSITIONS.allows(JobStatus.CANCELING, JobStatus.CANCEL));
  }

  @Test
  void onlyFailedTimedOutAndCanceledJobsCanBeRerun() {
    for (JobStatus s : JobStatus.values()) {
      boolean rerunnable = s == JobStatus.FAILURE || s == JobStatus.TIMEOUT || s == JobStatus.CANCELED;
      assertEquals(rerunnable || s == JobStatus.RUNNING, JobStatus.TRANSITIONS.allows(s, JobStatus.PENDING), s.name());
    }
  }

  @Test
  void successIsFinal() {
    assertTrue(JobStatus.TRANSITIONS.successors(JobStatus.SUCCESS).isEmpty());
  }

  @Test
  void terminalStatusesAreTheFourEnds() {
    assertEquals(EnumSet.of(JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.CANCELED),
        EnumSet.copyOf(java.util.Arrays.stream(JobStatus.values()).filter(JobStatus::isTerminal).toList()));
  }

  @Test
  void illegalJobTransitionIsRefusedWithWhatIsAllowed() {
    JobRecord job = new JobRecord().id("abcdefghij-1").status(JobStatus.SUCCESS);
    IllegalTransitionException e = assertThrows(IllegalTransitionException.class, () -> job.transition(JobStatus.RUNNING));
    assertTrue(e.getMessage().contains("job abcdefghij-1 is SUCCESS and cannot become RUNNING"), e.getMessage());
    assertEquals(JobStatus.SUCCESS, job.status());
  }

  @Test
  void functionBuildLifecycle() {
    assertEquals(EnumSet.of(FunctionStatus.BUILDING, FunctionStatus.BUILD_FAILED),
        FunctionStatus.TRANSITIONS.successors(FunctionStatus.AWAITING_BUNDLE));
    assertEquals(EnumSet.of(FunctionStatus.READY, FunctionStatus.STOPPED, FunctionStatus.BUILD_FAILED),
        FunctionStatus.TRANSITIONS.successors(FunctionStatus.BUILDING));
    assertTrue(FunctionStatus.TRANSITIONS.allows(FunctionStatus.READY, FunctionStatus.STOPPED));
    assertTrue(FunctionStatus.TRANSITIONS.allows(FunctionStatus.STOPPED, FunctionStatus.READY));
    assertTrue(FunctionStatus.TRANSITIONS.successors(FunctionStatus.BUILD_FAILED).isEmpty());
    assertThrows(IllegalTransitionException.class,
        () -> new FunctionRecord().id("f").status(FunctionStatus.READY).transition(FunctionStatus.BUILDING, null));
  }
}
