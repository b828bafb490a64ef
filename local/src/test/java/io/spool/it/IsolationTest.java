package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spool.cli.SpoolCli;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.ResultStore;
import io.spool.core.blob.UserSecrets;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.AccessDeniedException;
import io.spool.core.state.JobWrite;
import io.spool.core.state.StateIdentity;
import io.spool.core.state.StateStore;
import io.spool.core.state.Versioned;
import io.spool.local.SpoolClusterExtension;
import io.spool.server.SpoolServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two users on one cluster: each one's functions, jobs, arguments, results, logs, bundles and build logs are theirs
 * alone — in ZooKeeper (ACLs with each user's Spool secret), on HDFS (0700 directories), through the Java client,
 * the CLI and the server's API — and another user's attempts change nothing.
 */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class IsolationTest {

  private Configuration conf;
  private final String alice = "alice" + UUID.randomUUID().toString().substring(0, 4);
  private final String bob = "bob" + UUID.randomUUID().toString().substring(0, 4);

  @BeforeAll
  void setUp(Configuration clusterConf) {
    conf = TestSetup.quickIdle(clusterConf);
  }

  private static <T> T as(String user, PrivilegedExceptionAction<T> action) throws Exception {
    return UserGroupInformation.createRemoteUser(user).doAs(action);
  }

  private StateStore storeOf(String user) throws Exception {
    return as(user, () -> TestSetup.storeAs(conf, user));
  }

  @Test
  void anotherUserCannotReadOrChangeAUsersFunctionsJobsOrFiles() throws Exception {
    String fid;
    List<String> jobIds;
    try (Spool spool = as(alice, () -> Spool.connect(conf))) {
      Function f = as(alice, () -> Function.builder(spool, TestSetup.python("results.py") + ":value").name("private")
          .memory(256).build().save());
      fid = f.id();
      List<Job> jobs = as(alice, () -> f.map(List.of(List.of(1), List.of(2))));
      jobIds = jobs.stream().map(Job::id).toList();
      for (Job job : jobs) {
        assertEquals(JobStatus.SUCCESS, as(alice, () -> job.waitForCompletion(Duration.ofMinutes(3))));
      }
    }
    Versioned<FunctionRecord> functionBefore;
    Map<String, Versioned<JobRecord>> jobsBefore;
    try (StateStore mine = storeOf(alice)) {
      functionBefore = mine.function(fid).orElseThrow();
      jobsBefore = mine.jobs(jobIds);
      assertEquals(2, jobsBefore.size());
    }

    try (Spool theirs = as(bob, () -> Spool.connect(conf))) {
      AccessDeniedException denied = assertThrows(AccessDeniedException.class,
          () -> as(bob, () -> Function.get(theirs, fid)));
      assertTrue(denied.getMessage().contains("belongs to another user"), denied.getMessage());
      assertThrows(AccessDeniedException.class, () -> as(bob, () -> Job.get(theirs, jobIds.get(0))));
      assertFalse(as(bob, () -> Function.list(theirs)).stream().anyMatch(f -> f.id().equals(fid)),
          "another user's function is not listed");
    }

    try (StateStore bobs = storeOf(bob)) {
      assertThrows(AccessDeniedException.class, () -> bobs.submitJobs(fid, "sneak", List.of(new JobRecord())));
      assertThrows(AccessDeniedException.class, () -> bobs.updateFunction(fid, f -> f.maximumConcurrency(99)));
      JobRecord forged = jobsBefore.get(jobIds.get(0)).value();
      assertThrows(AccessDeniedException.class, () -> bobs.compareAndSet(new JobWrite(
          forged.tags(List.of("forged")), jobsBefore.get(jobIds.get(0)).version(), JobStatus.SUCCESS)));
      assertThrows(AccessDeniedException.class, () -> bobs.deleteFunction(fid));
      assertThrows(AccessDeniedException.class, () -> bobs.jobStatistics(fid));
    }

    String jobPath = TestSetup.layout(conf).job(jobIds.get(0));
    String functionPath = TestSetup.layout(conf).function(fid);
    try (CuratorFramework anonymous = CuratorFrameworkFactory.newClient(
        conf.get(SpoolConfig.ZOOKEEPER_QUORUM), new RetryOneTime(100))) {
      anonymous.start();
      assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData().forPath(jobPath));
      assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData().forPath(functionPath));
      assertThrows(KeeperException.NoAuthException.class,
          () -> anonymous.setData().forPath(functionPath, "{}".getBytes(StandardCharsets.UTF_8)));
      assertThrows(KeeperException.NoAuthException.class,
          () -> anonymous.getChildren().forPath(TestSetup.layout(conf).jobs(fid)));
    }

    Path userDir = new Path(conf.get(SpoolConfig.HDFS_ROOT, SpoolConfig.HDFS_ROOT_DEFAULT),
        BlobStore.userDir(alice));
    List<Path> alicesFiles = new java.util.ArrayList<>();
    try (FileSystem alicesFs = as(alice, () -> FileSystem.newInstance(conf))) {
      var files = alicesFs.listFiles(userDir, true);
      while (files.hasNext()) {
        alicesFiles.add(files.next().getPath());
      }
    }
    String result = as(alice, () -> ResultStore.on(BlobStore.open(conf)).find(alice, jobIds.get(0), null))
        .orElseThrow().file();
    for (String file : List.of(result, BlobStore.bundle(alice, fid),
        BlobStore.buildLog(alice, fid), UserSecrets.path(alice))) {
      assertTrue(alicesFiles.stream().anyMatch(p -> p.toUri().getPath().endsWith(file)), file + " in " + alicesFiles);
    }
    try (FileSystem bobsFs = as(bob, () -> FileSystem.newInstance(conf))) {
      assertEquals("rwx------", bobsFs.getFileStatus(userDir).getPermission().toString());
      assertEquals(alice, bobsFs.getFileStatus(userDir).getOwner());
      for (Path file : alicesFiles) {
        assertThrows(AccessControlException.class, () -> bobsFs.open(file).close(), file.toString());
      }
      assertThrows(AccessControlException.class, () -> bobsFs.listStatus(userDir));
    }

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = as(bob, () -> SpoolCli.run(new String[] {"job", "result", jobIds.get(0)}, new PrintWriter(out, true),
        new PrintWriter(err, true), () -> Spool.connect(conf)));
    assertEquals(SpoolCli.EXIT_ERROR, exit, out + "" + err);
    assertTrue(err.toString().contains("belongs to another user"), err.toString());

    Configuration serverConf = new Configuration(conf);
    serverConf.unset(SpoolConfig.SERVER_DEFAULT_USER);
    try (SpoolServer server = SpoolServer.start(serverConf, new InetSocketAddress("127.0.0.1", 0))) {
      HttpCalls api = new HttpCalls(server.uri(), bob);
      for (String path : List.of("api/v1/functions/" + fid, "api/v1/jobs/" + jobIds.get(0),
          "api/v1/jobs/" + jobIds.get(0) + "/result", "api/v1/jobs/" + jobIds.get(0) + "/log",
          "api/v1/functions/" + fid + "/build-log", "api/v1/functions/" + fid + "/jobs")) {
        HttpCalls.Reply reply = api.get(path);
        assertEquals(403, reply.status(), path + ": " + reply);
      }
      HttpCalls.Reply cancel = api.put("api/v1/jobs/" + jobIds.get(0) + "/actions/rerun", Map.of());
      assertEquals(403, cancel.status(), cancel.toString());
      assertFalse(api.get("api/v1/functions").text().contains(fid), "another user's function is not listed");
    }

    try (StateStore mine = storeOf(alice)) {
      assertEquals(functionBefore.version(), mine.function(fid).orElseThrow().version(), "the function is unchanged");
      Map<String, Versioned<JobRecord>> jobsAfter = mine.jobs(jobIds);
      for (String id : jobIds) {
        assertEquals(jobsBefore.get(id).version(), jobsAfter.get(id).version(), "job " + id + " is unchanged");
      }
      assertEquals(List.of(), mine.submissions(fid).stream().filter(s -> s.name().contains("sneak")).toList());
    }
    try (Spool spool = as(alice, () -> Spool.connect(conf))) {
      Job first = as(alice, () -> Job.get(spool, jobIds.get(0)));
      assertNotNull(as(alice, first::result), "the owner still reads the result");
      as(alice, () -> {
        Function.get(spool, fid).delete(true);
        return null;
      });
    }
  }

  @Test
  void administratorsReadEveryUsersNodesButChangeNone() throws Exception {
    String opsPassword = UUID.randomUUID().toString();
    Configuration adminConf = new Configuration(conf);
    adminConf.set(SpoolConfig.ZOOKEEPER_ADMIN_ACLS,
        "digest:" + DigestAuthenticationProvider.generateDigest("ops:" + opsPassword));
    String root = "/spool-isolation-admins";
    String fid = JobId.newFunctionId();
    try (StateStore carols = StateStore.builder().configuration(adminConf).root(root)
        .identity(new StateIdentity("carol", new byte[] {1, 2, 3})).build()) {
      carols.start();
      carols.createFunction(new FunctionRecord().id(fid).name("f").owner("carol").status(FunctionStatus.READY)
          .creationDate(Instant.now()).modifiedDate(Instant.now()));
      carols.submitJobs(fid, "b1", List.of(new JobRecord()));
    }
    String functionPath = ZKPaths.makePath(root, "functions", fid);
    try (CuratorFramework ops = CuratorFrameworkFactory.builder().connectString(conf.get(SpoolConfig.ZOOKEEPER_QUORUM))
        .retryPolicy(new RetryOneTime(100)).authorization("digest", ("ops:" + opsPassword)
            .getBytes(StandardCharsets.UTF_8)).build();
         CuratorFramework dave = CuratorFrameworkFactory.builder().connectString(conf.get(SpoolConfig.ZOOKEEPER_QUORUM))
             .retryPolicy(new RetryOneTime(100)).authorization("digest", "dave:x".getBytes(StandardCharsets.UTF_8))
             .build()) {
      ops.start();
      dave.start();
      assertTrue(new String(ops.getData().forPath(functionPath), StandardCharsets.UTF_8).contains("\"carol\""));
      assertEquals(1, ops.getChildren().forPath(functionPath + "/jobs").size());
      assertThrows(KeeperException.NoAuthException.class,
          () -> ops.setData().forPath(functionPath, "{}".getBytes(StandardCharsets.UTF_8)));
      assertThrows(KeeperException.NoAuthException.class, () -> dave.getData().forPath(functionPath));
    }
  }
}
