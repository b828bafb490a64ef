package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.client.internal.MasterStarter;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.SpoolConfig;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import io.spool.server.SpoolServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server as the cluster's users reach it: a master's tracking link in the ResourceManager opens its function's
 * page through YARN's web proxy (while the master runs and after it has exited), the API answers through the proxy,
 * and a request for another user acts as that user (a Hadoop proxy user), whose files stay in their own 0700
 * directory.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ServerProxyTest {

  private static final String ME = System.getProperty("user.name");

  private SpoolServer server;
  private HttpCalls api;
  private Configuration conf;
  private YarnClient yarn;

  @BeforeAll
  void start(Configuration clusterConf) throws Exception {
    conf = TestSetup.quickIdle(clusterConf);
    server = SpoolServer.start(conf, new InetSocketAddress("127.0.0.1", 0));
    api = new HttpCalls(server.uri(), ME);
    yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
  }

  @AfterAll
  void stop() throws Exception {
    yarn.stop();
    server.close();
  }

  private ApplicationReport master(String fid, Set<YarnApplicationState> states) throws Exception {
    for (int i = 0; i < 240; i++) {
      List<ApplicationReport> apps = yarn.getApplications(Set.of(MasterStarter.APPLICATION_TYPE),
          EnumSet.copyOf(states), Set.of(MasterStarter.tag(fid)));
      if (!apps.isEmpty()) {
        return apps.get(0);
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no master of " + fid + " in " + states);
  }

  @Test
  void theResourceManagersTrackingLinkOpensTheFunctionsPageThroughItsProxy(EmbeddedCluster cluster) throws Exception {
    String fid = ServerApiTest.createCalc(api, "tracked", 1);
    api.put("api/v1/functions/" + fid + "/batches/b1", Map.of("args", List.of(List.of(4))));
    ApplicationReport running = master(fid, Set.of(YarnApplicationState.RUNNING));
    for (int i = 0; i < 120 && running.getOriginalTrackingUrl().isEmpty(); i++) {
      Thread.sleep(500);
      running = yarn.getApplicationReport(running.getApplicationId());
    }
    assertEquals(cluster.server().uri() + "ui/functions/" + fid + "/", running.getOriginalTrackingUrl());
    String proxyLink = running.getTrackingUrl();
    assertTrue(proxyLink.contains("/proxy/" + running.getApplicationId()), proxyLink);
    // the embedded ResourceManager builds its links before its web server picks its port: use the bound address
    URI link = URI.create("http://" + conf.get(YarnConfiguration.RM_WEBAPP_ADDRESS)
        + URI.create(proxyLink.startsWith("http") ? proxyLink : "http://" + proxyLink).getPath());

    HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpResponse<String> page;
    try {
      page = browser.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new AssertionError("cannot open the tracking link " + link, e);
    }
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.body().contains("<meta name=\"spool-function\" content=\"" + fid + "\">"), page.body());

    HttpResponse<String> viaProxy = browser.send(HttpRequest.newBuilder(link.resolve("api/v1/functions/" + fid))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, viaProxy.statusCode(), viaProxy.body());
    assertTrue(viaProxy.body().contains("\"id\":\"" + fid + "\""), viaProxy.body());
    HttpResponse<String> put = browser.send(HttpRequest.newBuilder(link.resolve("api/v1/functions/" + fid))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"maximumConcurrency\":2}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, put.statusCode(), "the proxy passes PUT: " + put.body());
    assertTrue(put.body().contains("\"maximumConcurrency\":2"), put.body());
    HttpResponse<String> post = browser.send(HttpRequest.newBuilder(link.resolve("api/v1/functions/" + fid + "/jobs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"args\":[[1]]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode(), "the proxy refuses POST, which is why the UI uses only GET and PUT");

    api.put("api/v1/functions/" + fid + "/actions/stop", Map.of());
    ApplicationReport finished = master(fid, Set.of(YarnApplicationState.FINISHED, YarnApplicationState.KILLED,
        YarnApplicationState.FAILED));
    assertEquals(cluster.server().uri() + "ui/functions/" + fid + "/", finished.getOriginalTrackingUrl());
    HttpResponse<String> after = browser.send(HttpRequest.newBuilder(link).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, after.statusCode(), after.body());
    assertTrue(after.body().contains("content=\"" + fid + "\""), "after the master exited the link redirects to "
        + "the function's page: " + after.uri());
  }

  @Test
  void aRequestForAnotherUserActsAsThatUserWhoseDirectoryStaysTheirs(EmbeddedCluster cluster) throws Exception {
    String user = "alice" + UUID.randomUUID().toString().substring(0, 4);
    HttpCalls alice = api.as(user);
    String fid = ServerApiTest.createCalc(alice, "alices", 1);
    JsonNode f = alice.get("api/v1/functions/" + fid).json();
    assertEquals(user, f.get("owner").asText());
    String job = alice.put("api/v1/functions/" + fid + "/batches/b1", Map.of("args", List.of(List.of(12))))
        .json().get("jobIds").get(0).asText();
    JsonNode done = null;
    for (int i = 0; i < 20 && (done == null || !done.get("done").asBoolean()); i++) {
      done = alice.get("api/v1/functions/" + fid + "/wait?timeout=20").json();
    }
    assertEquals(1, done.get("jobStatistics").get("SUCCESS").asInt(), done.toString());
    assertEquals(144, alice.get("api/v1/jobs/" + job + "/result").json().asInt());
    assertEquals(403, api.get("api/v1/jobs/" + job + "/result").status(), "the server's own user is refused too");

    Path home = new Path(conf.getTrimmed(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT),
        BlobStore.userDir(user));
    FileStatus dir = cluster.miniDfs().getFileSystem().getFileStatus(home);
    assertEquals(user, dir.getOwner());
    assertEquals((short) 0700, dir.getPermission().toShort());
    FileStatus bundle = cluster.miniDfs().getFileSystem().getFileStatus(
        new Path(home, "functions/" + fid + "/bundle.zip"));
    assertEquals(user, bundle.getOwner(), "the bundle was written as " + user);
    alice.put("api/v1/functions/" + fid + "/actions/stop", Map.of());
  }
}
