package io.spool.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void nanIsRefusedWithWhere() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Json.userValue(List.of(1, Double.NaN), "the job's arguments"));
    assertEquals("the job's arguments[1] is not JSON: NaN cannot be written as a JSON number", e.getMessage());
  }

  @Test
  void infinityIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Json.userValue(Map.of("x", Float.POSITIVE_INFINITY), "kwargs"));
  }

  @Test
  void nonStringKeysAreRefused() {
    Map<Object, Object> map = new HashMap<>();
    map.put(3, "x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.userValue(List.of(map), "args"));
    assertTrue(e.getMessage().contains("map key 3 (Integer) is not a string"), e.getMessage());
  }

  @Test
  void cyclesAreRefused() {
    List<Object> list = new ArrayList<>();
    list.add(list);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.userValue(list, "args"));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }

  @Test
  void ordinaryValuesPass() {
    assertEquals("[1,\"a\",null,true,{\"k\":[2.5]}]",
        Json.userValue(java.util.Arrays.asList(1, "a", null, true, Map.of("k", List.of(2.5))), "args").toString());
  }

  @Test
  void jobRecordsAreCompactAndRoundTrip() {
    JobRecord job = new JobRecord().id("abcdefghij-7").status(JobStatus.PENDING)
        .args(Json.userValue(List.of(5), "args"));
    String text = new String(Json.toBytes(job));
    assertEquals("{\"id\":\"abcdefghij-7\",\"status\":\"PENDING\",\"args\":[5]}", text);
    JobRecord back = Json.fromBytes(text.getBytes(), JobRecord.class);
    assertEquals("abcdefghij", back.functionId());
    assertEquals(5, back.args().get(0).asInt());
  }

  @Test
  void aRecordKeepsWhereItsResultAndEachAttemptsLogAre() {
    JobRecord job = new JobRecord().id("abcdefghij-7").status(JobStatus.SUCCESS).resultLocation("f")
        .logLocation(2, "f");
    String text = new String(Json.toBytes(job));
    assertEquals("{\"id\":\"abcdefghij-7\",\"status\":\"SUCCESS\",\"result\":\"f\",\"logs\":[null,\"f\"]}", text);
    JobRecord back = Json.fromBytes(text.getBytes(), JobRecord.class);
    assertEquals("f", back.resultLocation());
    assertEquals(null, back.logLocation(1), "the first attempt printed nothing");
    assertEquals("f", back.logLocation(2));
    assertEquals(null, back.logLocation(3));
    assertEquals(null, new JobRecord().logLocation(1), "a record without locations");
    assertEquals("{}", new String(Json.toBytes(new JobRecord().logLocation(1, null))));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> job.logLocation(0, "f"));
  }
}
