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
  void numbersUpTo18DigitsAndFunctionIdsOfLowercaseLettersAndDigitsAreAccepted() {
    assertEquals(123456789012345678L, JobId.number("abcdefghij-123456789012345678"));
    assertEquals("k3mz8q2hxa", JobId.functionId("k3mz8q2hxa-17"));
    assertTrue(JobId.isFunctionId("0123456789"));
    assertTrue(!JobId.isFunctionId("k3mz8q2hx") && !JobId.isFunctionId("k3mz8q2hxA") && !JobId.isFunctionId(null));
  }

  @Test
  void malformedJobIdsAreRefused() {
    for (String bad : new String[] {"nope", "abcdefghij-0", "abcdefghij-", "ABCDEFGHIJ-1", "abc-1", "abcdefghij-x",
        "abcdefghij-012", "abcdefghij-1x", "abcdefghijk-1", "abcdefgh_j-1", "abcdefghij-1234567890123456789", "-1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobId.functionId(bad), bad);
      assertTrue(e.getMessage().contains("is not a job id"), e.getMessage());
    }
  }
}
