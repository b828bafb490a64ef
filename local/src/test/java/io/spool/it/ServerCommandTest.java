package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code spool server} runs the server as a daemon with the configuration the other commands use, until stopped. */
@ExtendWith(SpoolClusterExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerCommandTest {

  private static final Pattern STARTED = Pattern.compile("Spool server: (http://\\S+/)ui/");

  @Test
  void spoolServerServesTheApiAndTheUiUntilItIsStopped(EmbeddedCluster cluster, @TempDir Path conf)
      throws Exception {
    cluster.writeClientConfiguration(conf.resolve("spool-site.xml"));
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder command = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SpoolCli.class.getName(), "server", "--address", "127.0.0.1:0").redirectErrorStream(true);
    command.environment().put("SPOOL_CONF_DIR", conf.toString());
    Process server = command.start();
    try {
      URI base = null;
      StringBuilder output = new StringBuilder();
      BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
          StandardCharsets.UTF_8));
      while (base == null) {
        String line = lines.readLine();
        if (line == null) {
          break;
        }
        output.append(line).append('\n');
        Matcher m = STARTED.matcher(line);
        if (m.find()) {
          base = URI.create(m.group(1));
        }
      }
      drain(lines);
      assertNotNull(base, "spool server printed no address:\n" + output);
      HttpCalls api = new HttpCalls(base, "carol");
      HttpCalls.Reply health = api.get("api/v1/health");
      assertEquals(200, health.status());
      // the embedded cluster's own server runs the active supervisor: this one stands by
      String active = cluster.server().supervisor().orElseThrow().id();
      assertEquals("standby", health.json().get("supervisor").get("state").asText(), health.toString());
      assertEquals(active, health.json().get("supervisor").get("leader").asText(), health.toString());
      HttpCalls.Reply index = api.get("api/v1");
      assertEquals(200, index.status(), index.toString());
      assertEquals("carol", index.json().get("user").asText());
      assertEquals(0, api.get("api/v1/functions").json().get("total").asInt(), "carol has no functions yet");
      assertEquals(401, new HttpCalls(base, null).get("api/v1/functions").status(),
          "a real cluster's server has no default user");
      assertTrue(api.get("ui/").text().contains("spool-function"));
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "spool server did not stop on SIGTERM");
    }
    assertTrue(List.of(0, 143).contains(server.exitValue()), "exit " + server.exitValue());
  }

  /** Reads the rest of the server's output, so that its logging never blocks on a full pipe. */
  private static void drain(BufferedReader lines) {
    Thread reader = new Thread(() -> {
      try {
        while (lines.readLine() != null) {
          // discarded
        }
      } catch (java.io.IOException closed) {
        // the process ended
      }
    }, "spool-server-output");
    reader.setDaemon(true);
    reader.start();
  }
}
