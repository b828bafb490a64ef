package io.spool.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.cli.SpoolCli;
import io.spool.client.Spool;
import io.spool.core.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStatusCommandTest {

  @Test
  void aClusterThatDoesNotRunIsReportedAsUnreachableInTextAndJson(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    int exit = SpoolCli.run(new String[] {"local", "status", "--data-dir", dir.toString(), "--json"},
        new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), () -> {
          throw new AssertionError("local status needs no connection");
        });
    assertEquals(SpoolCli.EXIT_UNREACHABLE, exit);
    JsonNode status = Json.values().readTree(out.toString());
    assertEquals(false, status.get("running").asBoolean());
    assertEquals(dir.toString(), status.get("dataDir").asText());
    assertTrue(status.get("zookeeperQuorum").isNull(), out.toString());

    StringWriter text = new StringWriter();
    assertEquals(SpoolCli.EXIT_UNREACHABLE, SpoolCli.run(new String[] {"local", "status", "--data-dir",
        dir.toString()}, new PrintWriter(text, true), new PrintWriter(new StringWriter(), true), Spool::connect));
    assertTrue(text.toString().contains("not running"), text.toString());
  }
}
