package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.client.internal.MasterStarter;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import io.spool.server.SpoolServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring UI in a real browser (Debian's Chromium driven by playwright-core, both installed by the
 * project's test script): this test makes the functions and jobs, then {@code ui-test.mjs} opens the UI and checks
 * the counts, filters FAILURE jobs and reruns them to SUCCESS, raises maximumConcurrency through the ResourceManager's
 * proxy and sees more jobs run, watches a running job's log grow, and shows a result. Screenshots go to
 * {@code target/ui-screenshots}.
 */
@ExtendWith(SpoolClusterExtension.class)
@Timeout(600)
class UiBrowserTest {

  private static final Path BROWSER_TEST = Paths.get(System.getProperty("basedir", "."), "..", "server", "src",
      "test", "browser").toAbsolutePath().normalize();
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @Test
  void theUiShowsCountsRerunsFailuresChangesConcurrencyTailsALogAndShowsAResult(Configuration clusterConf,
      @TempDir Path state) throws Exception {
    assertTrue(Files.isExecutable(Paths.get(CHROMIUM)), CHROMIUM + " is missing: run the tests with bin/test, "
        + "which installs Debian's chromium");
    assertTrue(Files.isDirectory(BROWSER_TEST.resolve("node_modules/playwright-core")), "playwright-core is missing "
        + "from " + BROWSER_TEST + ": run the tests with bin/test, which installs it with npm");
    Configuration conf = TestSetup.quickIdle(clusterConf);
    String ui = TestSetup.python("server/ui.py");
    try (Spool spool = Spool.connect(conf);
        SpoolServer server = SpoolServer.start(conf, new InetSocketAddress("127.0.0.1", 0));
        YarnClient yarn = YarnClient.createYarnClient()) {
      yarn.init(conf);
      yarn.start();
      Function flaky = Function.builder(spool, ui + ":flaky").name("flaky").memory(256).maximumConcurrency(2)
          .environment(Map.of("SPOOL_UI_STATE", state.toString())).build().save();
      List<List<?>> numbers = new ArrayList<>();
      for (int n = 0; n < 10; n++) {
        numbers.add(List.of(n));
      }
      List<Job> flakyJobs = flaky.map(numbers);
      Function sleeper = Function.builder(spool, ui + ":nap").name("sleeper").memory(256).maximumConcurrency(1)
          .build().save();
      List<List<?>> naps = new ArrayList<>();
      for (int n = 0; n < 30; n++) {
        naps.add(List.of(2));
      }
      sleeper.map(naps);
      Function talker = Function.builder(spool, ui + ":talk").name("talker").memory(256).build().save();
      Job talk = talker.call(600, 0.5);
      flaky.waitForCompletion(WAIT);
      assertEquals(5L, flaky.jobStatistics().get(JobStatus.FAILURE));
      awaitRunning(talk);

      Map<String, Object> scenario = new LinkedHashMap<>();
      scenario.put("flaky", flaky.id());
      scenario.put("sleeper", sleeper.id());
      scenario.put("talker", talk.id());
      scenario.put("resultJob", flakyJobs.get(2).id());
      scenario.put("resultValue", flakyJobs.get(2).result());
      Path shots = Paths.get(System.getProperty("basedir", "."), "target", "ui-screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      ProcessBuilder node = new ProcessBuilder("node", "ui-test.mjs").directory(BROWSER_TEST.toFile())
          .redirectErrorStream(true);
      node.environment().put("SPOOL_UI_URL", server.uri() + "ui/?user.name=" + spool.user());
      node.environment().put("SPOOL_PROXY_URL", proxyLink(yarn, conf, sleeper.id()));
      node.environment().put("SHOTS_DIR", shots.toString());
      node.environment().put("CHROMIUM", CHROMIUM);
      node.environment().put("SPOOL_SCENARIO", Json.values().writeValueAsString(scenario));
      Process run = node.start();
      String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(run.waitFor(5, TimeUnit.MINUTES), output);
      assertEquals(0, run.exitValue(), "the browser test failed (screenshots in " + shots + "):\n" + output);
      assertTrue(output.contains("ui: 6 passed, 0 failed"), output);
      assertEquals(10L, flaky.jobStatistics().get(JobStatus.SUCCESS), "the UI's rerun brought every job to SUCCESS");
      assertEquals(3, Function.get(spool, sleeper.id()).maximumConcurrency(), "the UI changed maximumConcurrency");
      talk.cancel();
      sleeper.cancelJobs();
      for (Function f : List.of(flaky, sleeper, talker)) {
        f.stop();
      }
    }
  }

  private static void awaitRunning(Job job) throws InterruptedException {
    for (int i = 0; i < 600 && job.refresh().status() != JobStatus.RUNNING; i++) {
      Thread.sleep(200);
    }
    assertEquals(JobStatus.RUNNING, job.status());
  }

  /** The ResourceManager's proxy link of the function's master (its web server's real address; see below). */
  private static String proxyLink(YarnClient yarn, Configuration conf, String functionId) throws Exception {
    for (int i = 0; i < 600; i++) {
      for (ApplicationReport app : yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE),
          EnumSet.of(YarnApplicationState.RUNNING), Set.of(MasterStarter.tag(functionId)))) {
        if (!app.getOriginalTrackingUrl().isEmpty()) {
          // the embedded ResourceManager builds its links before its web server picks its port
          String path = URI.create(app.getTrackingUrl().startsWith("http") ? app.getTrackingUrl()
              : "http://" + app.getTrackingUrl()).getPath();
          return "http://" + conf.get(YarnConfiguration.RM_WEBAPP_ADDRESS) + path;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the master of " + functionId + " never registered its tracking URL");
  }
}
