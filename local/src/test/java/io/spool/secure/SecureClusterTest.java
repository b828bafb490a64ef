package io.spool.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.JobStatus;
import io.spool.core.state.AccessDeniedException;
import io.spool.core.state.StateLayout;
import io.spool.local.EmbeddedCluster;
import io.spool.local.SpoolClusterExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Spool on an embedded cluster secured with Kerberos (MiniKdc): HDFS and YARN with Kerberos, ZooKeeper with SASL.
 * Users log in from keytabs; the client ships delegation tokens to the master, the master to its build and
 * executors; another user is refused everything of the first one's, a client without a ticket is told to log in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class SecureClusterTest {

  private static final String ADMIN = "spooladmin";
  /** The maximum lifetime of every delegation token the cluster issues (renewed every half of it). */
  private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(2);

  private Kerberos kerberos;
  private EmbeddedCluster cluster;
  private Configuration conf;
  private UserGroupInformation alice;
  private UserGroupInformation bob;

  @BeforeAll
  void start() throws Exception {
    Path target = Files.createDirectories(Paths.get("target"));
    Path work = Files.createTempDirectory(target, "secure-cluster-");
    kerberos = new Kerberos(work.resolve("kerberos"), TOKEN_LIFETIME.toMillis());
    kerberos.addUser("alice");
    kerberos.addUser("bob");
    kerberos.addUser(ADMIN);
    cluster = EmbeddedCluster.start(work.resolve("data"), kerberos);
    conf = cluster.clientConfiguration();
    conf.set(SpoolConfig.DIST_JAR, Paths.get(System.getProperty(SpoolClusterExtension.DIST_JAR_PROPERTY))
        .toAbsolutePath().normalize().toString());
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    conf.set(SpoolConfig.ZOOKEEPER_ADMIN_ACLS, "sasl:" + ADMIN);
    alice = login("alice");
    bob = login("bob");
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (kerberos != null) {
      kerberos.close();
    }
  }

  private UserGroupInformation login(String user) throws IOException {
    return UserGroupInformation.loginUserFromKeytabAndReturnUGI(kerberos.principal(user),
        kerberos.keytab(user).toString());
  }

  private static <T> T as(UserGroupInformation user, PrivilegedExceptionAction<T> action) throws Exception {
    return user.doAs(action);
  }

  private static String resultsPy() {
    return Paths.get("src/test/resources/python/results.py").toAbsolutePath().toString();
  }

  @Test
  void aFunctionBuildsAndRunsAHundredJobsWithTheOwnersTokens() throws Exception {
    try (Spool spool = as(alice, () -> Spool.connect(conf))) {
      assertEquals("alice", spool.user());
      Function f = as(alice, () -> Function.builder(spool, resultsPy() + ":as_dict").name("secured").memory(256)
          .maximumConcurrency(2).build().save());
      List<Job> jobs = as(alice, () -> f.map(IntStream.range(0, 100).mapToObj(List::of).toList()));
      Map<JobStatus, Long> counts = as(alice, () -> f.waitForCompletion(Duration.ofMinutes(5)));
      assertEquals(100L, counts.get(JobStatus.SUCCESS), counts.toString());
      List<Object> results = as(alice, f::results);
      assertEquals(100, results.size());
      assertEquals("tile-42", ((Map<?, ?>) results.get(42)).get("name"));
      assertTrue(as(alice, () -> jobs.get(7).log()).contains("tile 7"), "the job's log was written");

      try (YarnClient yarn = YarnClient.createYarnClient()) {
        as(alice, () -> {
          yarn.init(conf);
          yarn.start();
          return null;
        });
        List<ApplicationReport> masters = as(alice, () -> yarn.getApplications(java.util.Set.of("SPOOL")));
        assertTrue(masters.stream().anyMatch(app -> app.getName().endsWith(f.id()) && app.getUser().equals("alice")),
            "the master ran as alice: " + masters);
      }
      String resultFile = as(alice, () -> ResultStore.on(BlobStore.open(conf)).find("alice", jobs.get(3).id(), null))
          .orElseThrow().file();
      try (FileSystem fs = as(alice, () -> FileSystem.newInstance(conf))) {
        org.apache.hadoop.fs.Path result = new org.apache.hadoop.fs.Path(
            conf.get(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT), resultFile);
        assertEquals("alice", as(alice, () -> fs.getFileStatus(result)).getOwner(),
            "the executor wrote the result as alice, with her delegation token");
      }

      try (Spool bobs = as(bob, () -> Spool.connect(conf))) {
        assertThrows(AccessDeniedException.class, () -> as(bob, () -> Function.get(bobs, f.id())));
        assertThrows(AccessDeniedException.class, () -> as(bob, () -> Job.get(bobs, jobs.get(0).id())));
      }
      java.io.StringWriter err = new java.io.StringWriter();
      int exit = as(bob, () -> SpoolCli.run(new String[] {"job", "result", jobs.get(0).id()},
          new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true),
          () -> Spool.connect(conf)));
      assertEquals(SpoolCli.EXIT_ERROR, exit, err.toString());
      assertTrue(err.toString().contains("belongs to another user"), err.toString());
      try (FileSystem bobsFs = as(bob, () -> FileSystem.newInstance(conf))) {
        org.apache.hadoop.fs.Path result = new org.apache.hadoop.fs.Path(
            conf.get(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT), resultFile);
        assertThrows(AccessControlException.class, () -> as(bob, () -> bobsFs.open(result)));
      }

      StateLayout layout = new StateLayout(conf.get(SpoolConfig.ZOOKEEPER_ROOT, SpoolConfig.ZOOKEEPER_ROOT_DEFAULT));
      String jobNode = layout.job(jobs.get(0).id());
      try (CuratorFramework bobsZk = saslClient("bob"); CuratorFramework admin = saslClient(ADMIN)) {
        assertThrows(KeeperException.NoAuthException.class, () -> bobsZk.getData().forPath(jobNode),
            "bob, authenticated by Kerberos, cannot read alice's job");
        assertTrue(new String(admin.getData().forPath(jobNode), java.nio.charset.StandardCharsets.UTF_8)
            .contains(jobs.get(0).id()), "the administrator's Kerberos identity reads every user's jobs");
        assertThrows(KeeperException.NoAuthException.class,
            () -> admin.setData().forPath(jobNode, new byte[0]), "but changes none");
      }
      as(alice, () -> {
        f.delete(true);
        return null;
      });
    }
  }

  @Test
  void aMasterOutlivesItsFirstTokensAndRunsJobsOnItsOldAndNewExecutors() throws Exception {
    Configuration longLived = new Configuration(conf);
    longLived.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 600_000);
    longLived.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 600_000);
    longLived.set(SpoolConfig.KERBEROS_PRINCIPAL, kerberos.principal("alice"));
    longLived.set(SpoolConfig.KERBEROS_KEYTAB, kerberos.keytab("alice").toString());
    try (Spool spool = as(alice, () -> Spool.connect(longLived))) {
      Function f = as(alice, () -> Function.builder(spool, resultsPy() + ":container_of").name("long-lived")
          .memory(256).maximumConcurrency(2).build().save());
      Job first = as(alice, () -> f.call(10));
      assertEquals(JobStatus.SUCCESS, as(alice, () -> first.waitForCompletion(Duration.ofMinutes(3))));
      String firstExecutor = (String) as(alice, first::result);
      assertTrue(firstExecutor.startsWith("container_"), firstExecutor);
      long masterStarted = System.currentTimeMillis();
      // past the maximum lifetime of every token the client gave the master: only refreshed ones work now
      Thread.sleep(TOKEN_LIFETIME.toMillis() + 30_000);
      List<Job> later = as(alice, () -> f.map(IntStream.range(1, 5).mapToObj(i -> List.of(2000)).toList()));
      Map<JobStatus, Long> counts = as(alice, () -> f.waitForCompletion(Duration.ofMinutes(3)));
      assertEquals(5L, counts.get(JobStatus.SUCCESS), counts + ", " + as(alice, () -> later.get(0).errorReason()));
      java.util.Set<String> executors = new java.util.HashSet<>();
      for (Job job : later) {
        executors.add((String) as(alice, job::result));
      }
      assertTrue(executors.contains(firstExecutor) && executors.size() >= 2, "the executor from before the first"
          + " tokens expired (with the tokens the master sent it) and a new one (launched with fresh tokens) both"
          + " wrote results: " + firstExecutor + " then " + executors);

      try (YarnClient yarn = YarnClient.createYarnClient()) {
        as(alice, () -> {
          yarn.init(conf);
          yarn.start();
          return null;
        });
        List<ApplicationReport> masters = as(alice, () -> yarn.getApplications(java.util.Set.of("SPOOL"))).stream()
            .filter(app -> app.getName().endsWith(f.id())).toList();
        assertEquals(1, masters.size(), "one master ran all the jobs: " + masters);
        assertTrue(masters.get(0).getStartTime() <= masterStarted, "and it started before the first job ended");
      }
      as(alice, () -> {
        f.stop();
        f.delete(true);
        return null;
      });
    }
  }

  @Test
  void theServerAuthenticatesItsUsersWithKerberosAndRefusesAnotherUsersFunction() throws Exception {
    String fid;
    try (Spool spool = as(alice, () -> Spool.connect(conf))) {
      fid = as(alice, () -> Function.builder(spool, resultsPy() + ":value").name("served").memory(256).build()
          .save().id());
    }
    // SPNEGO clients ask for the service principal of the URL's host name: HTTP/localhost
    java.net.URI base = java.net.URI.create("http://localhost:" + cluster.server().uri().getPort() + "/");
    HttpReply alices = spnegoGet(alice, base.resolve("api/v1/functions/" + fid));
    assertEquals(200, alices.status(), alices.body());
    HttpReply bobs = spnegoGet(bob, base.resolve("api/v1/functions/" + fid));
    assertEquals(403, bobs.status(), bobs.body());
    assertTrue(spnegoGet(bob, base.resolve("api/v1/")).body().contains("\"user\":\"bob\""),
        "the server acts for whom Kerberos says");

    Path tokenFile = Files.createTempDirectory("spool-login").resolve("server-token");
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int login = as(alice, () -> SpoolCli.run(new String[] {"login", "--url", base.toString(), "--token-file",
        tokenFile.toString()}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
        () -> Spool.connect(conf)));
    assertEquals(0, login, out + "" + err);
    assertTrue(out.toString().contains("as alice"), out.toString());
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(tokenFile)));
    String python = conf.get(SpoolConfig.IMAGE_PREFIX + conf.get(SpoolConfig.IMAGE_DEFAULT)
        + SpoolConfig.IMAGE_INTERPRETER_SUFFIX);
    ProcessBuilder pythonClient = new ProcessBuilder(python, "-c", "import spool_client as s; "
        + "print(s.Function.get('" + fid + "', client=s.Client(url='" + base + "')).name)")
        .redirectErrorStream(true);
    pythonClient.environment().put("PYTHONPATH", Paths.get("../python").toAbsolutePath().normalize().toString());
    pythonClient.environment().put("SPOOL_SERVER_TOKEN", Files.readString(tokenFile));
    Process run = pythonClient.start();
    String printed = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, run.waitFor(), printed);
    assertEquals("served", printed.strip(), "the Python client acts as alice with the token of spool login");

    java.net.HttpURLConnection named = (java.net.HttpURLConnection) base.resolve(
        "api/v1/functions/" + fid + "?user.name=alice").toURL().openConnection();
    assertEquals(401, named.getResponseCode(), "naming a user proves nothing on a cluster with Kerberos");
    named.disconnect();
    try (Spool spool = as(alice, () -> Spool.connect(conf))) {
      as(alice, () -> {
        Function.get(spool, fid).delete(true);
        return null;
      });
    }
  }

  private record HttpReply(int status, String body) {}

  /** A GET with SPNEGO as {@code user} (Hadoop's AuthenticatedURL, as Hadoop's own web clients do). */
  private static HttpReply spnegoGet(UserGroupInformation user, java.net.URI uri) throws Exception {
    return as(user, () -> {
      org.apache.hadoop.security.authentication.client.AuthenticatedURL.Token token =
          new org.apache.hadoop.security.authentication.client.AuthenticatedURL.Token();
      java.net.HttpURLConnection c = new org.apache.hadoop.security.authentication.client.AuthenticatedURL()
          .openConnection(uri.toURL(), token);
      int status = c.getResponseCode();
      try (java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        return new HttpReply(status, in == null ? "" : new String(in.readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8));
      }
    });
  }

  @Test
  void aMasterAttemptAfterARestartGetsTheTokensAgain() throws Exception {
    Configuration restartable = new Configuration(conf);
    // the failed attempt's lock goes with its ZooKeeper session: keep it short so the next attempt takes over soon
    restartable.setInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, 6_000);
    try (Spool spool = as(alice, () -> Spool.connect(restartable));
         YarnClient yarn = YarnClient.createYarnClient()) {
      as(alice, () -> {
        yarn.init(restartable);
        yarn.start();
        return null;
      });
      Function f = as(alice, () -> Function.builder(spool, resultsPy() + ":nap").name("restarted").memory(256)
          .maximumConcurrency(2).build().save());
      List<Job> jobs = as(alice, () -> f.map(IntStream.range(0, 12).mapToObj(i -> List.of(i, 1000)).toList()));
      ApplicationReport master = null;
      for (int i = 0; i < 600 && (master == null || as(alice, () -> f.jobStatistics()).getOrDefault(
          JobStatus.SUCCESS, 0L) < 2); i++) {
        Thread.sleep(100);
        master = as(alice, () -> yarn.getApplications(java.util.Set.of("SPOOL"))).stream()
            .filter(app -> app.getName().endsWith(f.id())).findFirst().orElse(null);
      }
      assertTrue(master != null, "a master ran");
      org.apache.hadoop.yarn.api.records.ApplicationAttemptId first = master.getCurrentApplicationAttemptId();
      as(alice, () -> {
        yarn.failApplicationAttempt(first);
        return null;
      });
      Map<JobStatus, Long> counts = as(alice, () -> f.waitForCompletion(Duration.ofMinutes(4)));
      assertEquals(12L, counts.get(JobStatus.SUCCESS), counts + " " + as(alice, () -> jobs.get(11).errorReason()));
      ApplicationReport after = as(alice, () -> yarn.getApplicationReport(first.getApplicationId()));
      assertTrue(after.getCurrentApplicationAttemptId().getAttemptId() >= 2,
          "a second attempt of the same master ran the rest, with the application's tokens: " + after);
      as(alice, () -> {
        f.stop();
        return null;
      });
    }
  }

  /**
   * A master that failed with its attempts used up is started again by the cluster's supervisor, which runs as the
   * server's user and acts for alice as a proxy user, with no call of hers: the new master is her application, with
   * her tokens and her ZooKeeper identity, and runs the rest of her jobs.
   */
  @Test
  void theSupervisorRestartsAMasterAsItsOwner() throws Exception {
    Configuration oneAttempt = new Configuration(conf);
    oneAttempt.setInt(SpoolConfig.MASTER_MAX_ATTEMPTS, 1);
    try (Spool spool = as(alice, () -> Spool.connect(oneAttempt));
         YarnClient yarn = YarnClient.createYarnClient()) {
      as(alice, () -> {
        yarn.init(oneAttempt);
        yarn.start();
        return null;
      });
      Function f = as(alice, () -> Function.builder(spool, resultsPy() + ":nap").name("supervised").memory(256)
          .maximumConcurrency(2).build().save());
      as(alice, () -> f.map(IntStream.range(0, 12).mapToObj(i -> List.of(i, 500)).toList()));
      ApplicationReport master = null;
      for (int i = 0; i < 600 && (master == null || as(alice, () -> f.jobStatistics()).getOrDefault(
          JobStatus.SUCCESS, 0L) < 2); i++) {
        Thread.sleep(100);
        master = masterOf(yarn, f.id());
      }
      assertTrue(master != null, "a master ran");
      ApplicationReport first = master;
      as(alice, () -> {
        yarn.failApplicationAttempt(first.getCurrentApplicationAttemptId());
        return null;
      });
      long succeeded = 0;
      for (int i = 0; i < 2400 && succeeded < 12; i++) {
        Thread.sleep(100);
        // a read of the counts: nothing here starts a master
        succeeded = as(alice, () -> f.jobStatistics()).getOrDefault(JobStatus.SUCCESS, 0L);
      }
      assertEquals(12L, succeeded, "the rest of the jobs ran with no client call");
      List<ApplicationReport> all = as(alice, () -> yarn.getApplications(java.util.Set.of("SPOOL"))).stream()
          .filter(app -> app.getName().endsWith(f.id())).toList();
      assertTrue(all.size() >= 2, "a second master ran: " + all);
      for (ApplicationReport app : all) {
        assertEquals("alice", app.getUser(), "every master of hers runs as her: " + app);
      }
      assertTrue(cluster.server().supervisor().orElseThrow().status().restarts() >= 1);
      as(alice, () -> {
        f.stop();
        return null;
      });
    }
  }

  private ApplicationReport masterOf(YarnClient yarn, String functionId) throws Exception {
    return as(alice, () -> yarn.getApplications(java.util.Set.of("SPOOL"))).stream()
        .filter(app -> app.getName().endsWith(functionId)).findFirst().orElse(null);
  }

  @Test
  void aServiceUserWithoutATicketLogsInFromTheConfiguredKeytab() throws Exception {
    Path confDir = Files.createTempDirectory("spool-service-user");
    Configuration site = new Configuration(false);
    site.addResource(new org.apache.hadoop.fs.Path(cluster.writeClientConfiguration(confDir.resolve("cluster.xml"))
        .toUri()));
    site.set(SpoolConfig.DIST_JAR, conf.get(SpoolConfig.DIST_JAR));
    try (java.io.OutputStream out = Files.newOutputStream(confDir.resolve(SpoolConfig.SITE_FILE))) {
      site.writeXml(out);
    }
    Cli without = cli(confDir, "function", "list");
    assertEquals(6, without.exit(), without.output());
    assertTrue(without.output().contains("has no Kerberos ticket: run kinit, or set " + SpoolConfig.KERBEROS_PRINCIPAL),
        without.output());

    site.set(SpoolConfig.KERBEROS_PRINCIPAL, kerberos.principal("bob"));
    site.set(SpoolConfig.KERBEROS_KEYTAB, kerberos.keytab("bob").toString());
    try (java.io.OutputStream out = Files.newOutputStream(confDir.resolve(SpoolConfig.SITE_FILE))) {
      site.writeXml(out);
    }
    Cli with = cli(confDir, "function", "list");
    assertEquals(0, with.exit(), with.output());
  }

  private record Cli(int exit, String output) {}

  /** The command line in a JVM of its own (as a scheduler runs it), with no Kerberos ticket cache. */
  private Cli cli(Path confDir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Djava.security.krb5.conf=" + kerberos.krb5Conf().getAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), SpoolCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put(SpoolConfig.CONF_DIR_ENV, confDir.toString());
    builder.environment().put("KRB5CCNAME", confDir.resolve("no-ticket-cache").toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Cli(process.waitFor(), output);
  }

  @Test
  void aClientWithoutATicketIsToldToLogIn() {
    UserGroupInformation mallory = UserGroupInformation.createRemoteUser("mallory");
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> as(mallory, () -> Spool.connect(conf)));
    assertTrue(refused.getMessage().contains("has no Kerberos ticket: run kinit, or set "
        + SpoolConfig.KERBEROS_PRINCIPAL + " and " + SpoolConfig.KERBEROS_KEYTAB), refused.getMessage());
  }

  /** A ZooKeeper client that authenticates with SASL (Kerberos) as {@code user}. */
  private CuratorFramework saslClient(String user) {
    ZKClientConfig zk = new ZKClientConfig();
    zk.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, kerberos.zookeeperLogin(user));
    zk.setProperty(ZKClientConfig.ZOOKEEPER_SERVER_PRINCIPAL, kerberos.servicePrincipal("zookeeper"));
    CuratorFramework client = CuratorFrameworkFactory.builder().connectString(conf.get(SpoolConfig.ZOOKEEPER_QUORUM))
        .retryPolicy(new RetryOneTime(100)).zkClientConfig(zk).build();
    client.start();
    return client;
  }
}
