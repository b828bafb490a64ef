package io.spool.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final Router router = new Router()
      .add("GET", "/functions/{functionId}", "", call -> "get")
      .add("PUT", "/functions/{functionId}", "", call -> "put")
      .add("GET", "/functions/{functionId}/jobs", "", call -> "jobs");

  @Test
  void matchesPatternsAndTakesTheirParameters() {
    Router.Match m = router.match("GET", "/functions/abc/jobs");
    assertEquals("/functions/{functionId}/jobs", m.route().pattern());
    assertEquals(Map.of("functionId", "abc"), m.params());
    assertEquals("put", router.match("PUT", "/functions/abc/").route().method().toLowerCase());
  }

  @Test
  void unknownPathsAre404AndWrongMethods405NamingTheAllowedOnes() {
    ApiException missing = assertThrows(ApiException.class, () -> router.match("GET", "/functions/a/b/c"));
    assertEquals(404, missing.status());
    ApiException method = assertThrows(ApiException.class, () -> router.match("DELETE", "/functions/abc"));
    assertEquals(405, method.status());
    assertTrue(method.getMessage().contains("GET or PUT"), method.getMessage());
  }

  @Test
  void theApiIsFoundBelowAnyPrefixButOnlyAsWholeSegments() {
    assertEquals(0, SpoolServlet.apiStart("/api/v1/functions"));
    assertEquals(0, SpoolServlet.apiStart("/api/v1"));
    assertEquals("/ui/functions/k3mz8q2hxa".length(), SpoolServlet.apiStart("/ui/functions/k3mz8q2hxa/api/v1/jobs/x"));
    assertEquals(-1, SpoolServlet.apiStart("/ui/api/v10/x"));
    assertEquals(-1, SpoolServlet.apiStart("/ui/static/app.js"));
  }

  @Test
  void enumsAreReadInTheirApiSpellingAndRefusedNamingTheChoices() {
    assertEquals(io.spool.client.JobSearch.Sort.LAST_COMPLETION_DATE,
        Params.enumValue(io.spool.client.JobSearch.Sort.class, "lastCompletionDate", "sort"));
    assertEquals(io.spool.core.model.JobStatus.FAILURE,
        Params.enumValue(io.spool.core.model.JobStatus.class, "FAILURE", "status"));
    ApiException bad = assertThrows(ApiException.class,
        () -> Params.enumValue(io.spool.core.model.JobStatus.class, "FAILED", "status"));
    assertEquals("status", bad.field());
    assertTrue(bad.getMessage().contains("failure"), bad.getMessage());
  }
}
