package io.spool.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobIdTest {

  @Test
  void jobIdCarriesFunctionAndNumber() {
    String fid = JobId.newFunctionId();
    assertTrue(JobId.isFunctionId(fid), fid);
    String id = JobId.of(fid, 1234);
    assertEquals(fid, JobId.functionId(id));
    assertEquals(1234, JobId.number(id));
  }

  @Test
  void malformedJobIdsAreRefused() {
    for (String bad : new String[] {"nope", "abcdefghij-0", "abcdefghij-", "ABCDEFGHIJ-1", "abc-1", "abcdefghij-x"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobId.functionId(bad), bad);
      assertTrue(e.getMessage().contains("is not a job id"), e.getMessage());
    }
  }
}
