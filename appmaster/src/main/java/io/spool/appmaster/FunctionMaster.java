package io.spool.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.UserSecrets;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Messages;
import io.spool.core.config.Images;
import io.spool.core.config.ServerLinks;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobRecord;
import io.spool.core.state.StaleFenceException;
import io.spool.core.state.StateIdentity;
import io.spool.core.state.StateStore;
import io.spool.core.state.Submission;
import io.spool.runner.ExecutorMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.LocalResourceType;
import org.apache.hadoop.yarn.api.records.LocalResourceVisibility;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.util.ConverterUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ApplicationMaster of one function: takes the function's master lock and epoch, builds its environment,
 * recovers and follows its submission log, and runs its jobs on executors until it has been idle for the
 * configured time; then it exits and the next submission starts a new master. It exits as soon as none of its jobs
 * runs if the function is not READY (its start starts a new master), and at once if the function is deleted. While
 * it runs, it also purges the function owner's expired logs now and then ({@link LogPurger}).
 */
public final class FunctionMaster {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionMaster.class);

  /** Environment variable of the master container: the distribution jar's path on the file system. */
  public static final String ENV_DIST_JAR = "SPOOL_DIST_JAR";
  /** Environment variable of the master container: the job configuration's path on the file system. */
  public static final String ENV_JOB_CONF = "SPOOL_JOB_CONF";
  /** Localized name of the owner's keytab, where the client shipped one (see {@link TokenRefresher}). */
  public static final String KEYTAB_NAME = "spool.keytab";
  /** Localized name of the distribution jar. */
  public static final String DIST_JAR_NAME = "spool.jar";
  /** Localized name of the function's built environment (on the jobs' PYTHONPATH). */
  static final String ENVIRONMENT_DIR = "env";
  /** Localized name of a packed interpreter (images of kind archive). */
  static final String PYTHON_DIR = "python";


  private final Configuration conf;
  private final String functionId;
  private final ApplicationAttemptId attempt;
  private final Shutdown shutdown = new Shutdown();
  private volatile FunctionRecord function;

  private FunctionMaster(Configuration conf, String functionId, ApplicationAttemptId attempt) {
    this.conf = conf;
    this.functionId = functionId;
    this.attempt = attempt;
  }

  /** {@code FunctionMaster <function-id>}, in a YARN container with {@code spool-job.xml} beside it. */
  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: FunctionMaster <function-id>");
    }
    Configuration conf = new YarnConfiguration();
    conf.addResource(new Path(new java.io.File(ExecutorMain.JOB_CONF).getAbsoluteFile().toURI()));
    ExecutorMain.followSecurity(conf);
    ContainerId container = ContainerId.fromString(System.getenv(ApplicationConstants.Environment.CONTAINER_ID.name()));
    int exit;
    try {
      FunctionMaster master = new FunctionMaster(conf, args[0], container.getApplicationAttemptId());
      exit = asOwner().doAs((java.security.PrivilegedExceptionAction<Integer>) master::run);
    } catch (Exception e) {
      LOG.error("function master failed", e);
      exit = Shutdown.EXIT_FAILURE;
    }
    System.exit(exit);
  }

  /**
   * Whom the master acts as: the function's owner. Without Kerberos that is the login user, which
   * {@code HADOOP_USER_NAME} names; with Kerberos the container's process may run as the NodeManager's user, so the
   * master takes the application's user ({@code USER}) with the delegation tokens YARN gave the container.
   */
  static UserGroupInformation asOwner() throws IOException {
    UserGroupInformation current = UserGroupInformation.getCurrentUser();
    String user = System.getenv(ApplicationConstants.Environment.USER.name());
    if (!UserGroupInformation.isSecurityEnabled() || user == null || user.equals(current.getShortUserName())) {
      return current;
    }
    UserGroupInformation owner = UserGroupInformation.createRemoteUser(user);
    owner.addCredentials(current.getCredentials());
    return owner;
  }

  private int run() throws Exception {
    int maxAttempts = conf.getInt(SpoolConfig.MASTER_MAX_ATTEMPTS, SpoolConfig.MASTER_MAX_ATTEMPTS_DEFAULT);
    boolean lastAttempt = attempt.getAttemptId() >= maxAttempts;
    String host = System.getenv(ApplicationConstants.Environment.NM_HOST.name());
    byte[] secret = ChannelSecret.from(UserGroupInformation.getCurrentUser().getCredentials());
    AMRMClient<ContainerRequest> amrm = AMRMClient.createAMRMClient();
    amrm.init(conf);
    amrm.start();
    String trackingUrl = ServerLinks.functionPage(conf, functionId);
    amrm.registerApplicationMaster(host, 0, trackingUrl);
    byte[] ownerSecret = UserSecrets.from(UserGroupInformation.getCurrentUser().getCredentials());
    StateIdentity identity = ownerSecret == null ? null
        : new StateIdentity(UserGroupInformation.getCurrentUser().getShortUserName(), ownerSecret);
    try (StateStore store = StateStore.builder().configuration(conf).identity(identity).build()) {
      store.start();
      MasterLeadership leadership = new MasterLeadership(store, functionId, attempt.getApplicationId().toString());
      try {
        // an earlier master's lock lasts until its ZooKeeper session expires: wait longer than that
        long lockWaitMs = 2L * conf.getInt(SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS,
            SpoolConfig.ZOOKEEPER_SESSION_TIMEOUT_MS_DEFAULT) + 10_000;
        if (!leadership.acquire(lockWaitMs)) {
          shutdown.request(new Shutdown.Reason(FinalApplicationStatus.SUCCEEDED, Shutdown.EXIT_SUCCESS,
              "another master is live for function " + functionId, true));
        } else {
          serve(store, leadership, amrm, host, secret, lastAttempt);
        }
      } finally {
        leadership.close();
      }
    } finally {
      Shutdown.Reason reason = shutdown.reason();
      if (reason != null && (reason.unregister() || lastAttempt)) {
        amrm.unregisterApplicationMaster(reason.status(), reason.message(), trackingUrl);
      }
      amrm.stop();
    }
    return shutdown.reason().exitCode();
  }

  @SuppressWarnings("try") // the log purger and the cancel requests run on their own while the master serves
  private void serve(StateStore store, MasterLeadership leadership, AMRMClient<ContainerRequest> amrm, String host,
      byte[] secret, boolean lastAttempt) throws Exception {
    Optional<FunctionRecord> saved = store.function(functionId).map(v -> v.value());
    if (saved.isEmpty()) {
      deleted();
      return;
    }
    function = saved.get();
    BlobStore blobs = BlobStore.open(conf);
    ExecutorRegistry registry = new ExecutorRegistry();
    Allocator[] allocator = new Allocator[1];
    Dispatcher[] dispatcherRef = new Dispatcher[1];
    try (StateWriter writer = new StateWriter(store, leadership.fence(),
        conf.getLong(SpoolConfig.COMPLETIONS_RETENTION_MS, SpoolConfig.COMPLETIONS_RETENTION_MS_DEFAULT),
        stale -> lostLeadership(stale, lastAttempt));
         CuratorCache functionCache = CuratorCache.build(store.curator(), store.layout().function(functionId),
             CuratorCache.Options.SINGLE_NODE_CACHE);
         CuratorCache submissionCache = CuratorCache.build(store.curator(), store.layout().submissions(functionId));
         LogPurger purger = LogPurger.start(conf, blobs, function.owner());
         RunningShare share = runningShare(store, () -> wake(dispatcherRef[0], allocator[0]))) {
      JobSlots slots = share != null ? share : JobSlots.UNLIMITED;
      Scheduler scheduler = new Scheduler(functionId, store, writer, () -> function, Clock.systemUTC(),
          () -> wake(dispatcherRef[0], allocator[0]), slots::permitted);
      leadership.watch(paused -> {
        scheduler.setPaused(paused);
        wake(dispatcherRef[0], null);
      }, () -> lostLeadership(null, lastAttempt));
      functionCache.listenable().addListener(CuratorCacheListener.builder().forCreatesAndChanges((old, now) -> {
        function = Json.fromBytes(now.getData(), FunctionRecord.class);
        wake(dispatcherRef[0], allocator[0]);
      }).forDeletes(gone -> deleted()).build());
      functionCache.start();
      try (Dispatcher dispatcher = new Dispatcher(scheduler, work(blobs, registry), Clock.systemUTC(),
               conf.getLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, SpoolConfig.EXECUTOR_IDLE_RELEASE_MS_DEFAULT));
           ExecutorChannels channels = new ExecutorChannels("0.0.0.0", secret, dispatcher);
           ExecutorLauncher launcher = new ExecutorLauncher(conf, secret);
           TokenRefresher refresher = tokenRefresher(channels);
           CancelRequests cancels = CancelRequests.start(store, functionId,
               jobId -> forwardCancel(scheduler, dispatcher, jobId))) {
        dispatcherRef[0] = dispatcher;
        dispatcher.start(channels);
        if (refresher != null) {
          refresher.start();
        }
        int port = channels.port();
        allocator[0] = new Allocator(amrm, () -> function, function.nodeLabel(), memoryOverheadMb(), scheduler,
            registry, launcher, () -> executorSpec(blobs, host, port), shutdown, 1000,
            conf.getLong(SpoolConfig.EXECUTOR_SILENT_GRACE_MS, SpoolConfig.EXECUTOR_SILENT_GRACE_MS_DEFAULT), slots);
        if (share != null) {
          share.start();
        }
        Thread allocatorThread = new Thread(allocator[0], "allocator");
        allocatorThread.start();
        submissionCache.listenable().addListener(CuratorCacheListener.builder().forCreatesAndChanges((old, now) ->
            submission(now).ifPresent(scheduler::addSubmission)).build());
        submissionCache.start();
        leadership.publish(attempt.getApplicationId().toString(), host, port);
        new EnvironmentBuilder(this, conf, store, leadership, blobs, allocator[0], () -> function,
            f -> function = f).build(interpreter(function));
        if (function.status() == FunctionStatus.BUILD_FAILED) {
          failPendingJobs(store, scheduler);
        }
        long idleExitMs = conf.getLong(SpoolConfig.MASTER_IDLE_EXIT_MS, SpoolConfig.MASTER_IDLE_EXIT_MS_DEFAULT);
        while (!shutdown.await(500)) {
          // a stopped (or failed) function's jobs wait for its start(), which starts a master: holding an
          // application master's share of the cluster meanwhile would only keep other functions' masters waiting
          if (scheduler.idleFor(function.status() == FunctionStatus.READY ? idleExitMs : 0)) {
            exitIfStillIdle(store, leadership, scheduler, host, port);
          }
        }
        scheduler.stop();
        dispatcher.stopIdle("the master is exiting");
        allocatorThread.join(10_000);
      }
    }
  }

  /**
   * What keeps the owner's delegation tokens valid past their maximum lifetime, where the cluster has Kerberos and
   * the client shipped the owner's keytab ({@value #KEYTAB_NAME}); null otherwise (the tokens YARN renews then last
   * as long as their maximum lifetime allows).
   */
  private TokenRefresher tokenRefresher(ExecutorChannels channels) throws IOException {
    String principal = conf.getTrimmed(SpoolConfig.KERBEROS_PRINCIPAL, SpoolConfig.KERBEROS_PRINCIPAL_DEFAULT);
    java.io.File keytab = new java.io.File(KEYTAB_NAME).getAbsoluteFile();
    if (!UserGroupInformation.isSecurityEnabled() || principal.isEmpty() || !keytab.isFile()) {
      return null;
    }
    return new TokenRefresher(conf, UserGroupInformation.getCurrentUser(), principal, keytab.getPath(), fresh -> {
      try {
        LOG.info("sent fresh delegation tokens to {} executors", channels.broadcast(credentialsMessage(fresh)));
      } catch (IOException e) {
        LOG.warn("could not send fresh delegation tokens to the executors", e);
      }
    }, Clock.systemUTC());
  }

  /** The message that gives executors fresh delegation tokens. */
  static ObjectNode credentialsMessage(org.apache.hadoop.security.Credentials credentials) throws IOException {
    org.apache.hadoop.io.DataOutputBuffer buffer = new org.apache.hadoop.io.DataOutputBuffer();
    credentials.writeTokenStorageToStream(buffer);
    return Messages.of(Messages.CREDENTIALS).put("tokens", java.util.Base64.getEncoder().encodeToString(
        java.util.Arrays.copyOf(buffer.getData(), buffer.getLength())));
  }

  /** Wakes whichever of the dispatcher and the allocator exist yet. */
  private static void wake(Dispatcher dispatcher, Allocator allocator) {
    if (dispatcher != null) {
      dispatcher.signal();
    }
    if (allocator != null) {
      allocator.wake();
    }
  }

  /**
   * The share of its owner's running jobs that this master agrees with the masters of the owner's other functions;
   * null where no per-user limit is set.
   */
  private RunningShare runningShare(StateStore store, Runnable onChange) {
    int limit = conf.getInt(SpoolConfig.LIMIT_RUNNING_JOBS_PER_USER, SpoolConfig.LIMIT_RUNNING_JOBS_PER_USER_DEFAULT);
    if (limit <= 0 || function.owner() == null) {
      return null;
    }
    return new RunningShare(store.curator(), store.layout(), function.owner(), functionId, limit, onChange);
  }

  private void exitIfStillIdle(StateStore store, MasterLeadership leadership, Scheduler scheduler, String host,
      int port) throws Exception {
    leadership.unpublish();
    // read again once the live node is gone: a start or a submission that came meanwhile keeps this master
    Optional<FunctionStatus> status = store.function(functionId).map(v -> v.value().status());
    boolean ready = status.orElse(null) == FunctionStatus.READY;
    boolean newWork = ready && store.submissions(functionId).stream()
        .anyMatch(s -> !scheduler.knownSubmissions().contains(s.name()));
    if (newWork || scheduler.busy(ready)) {
      leadership.publish(attempt.getApplicationId().toString(), host, port);
      return;
    }
    if (status.isEmpty()) {
      deleted();
      return;
    }
    shutdown.request(new Shutdown.Reason(FinalApplicationStatus.SUCCEEDED, Shutdown.EXIT_SUCCESS, ready
        ? "no work left for function " + functionId
        : "function " + functionId + " is " + status.get() + ": no job runs and none starts until it is READY",
        true));
  }

  /**
   * The function's build failed: no job of it can run. Its jobs submitted before (submissions after the failure are
   * refused) end FAILURE with the build's reason, without an execution, so that counts and waits tell the truth.
   */
  private void failPendingJobs(StateStore store, Scheduler scheduler) throws InterruptedException {
    store.submissions(functionId).forEach(scheduler::addSubmission);
    int failed = scheduler.failQueued("the function's build failed: " + function.statusReason());
    if (failed > 0) {
      LOG.info("ended {} jobs of function {} FAILURE: its build failed", failed, functionId);
    }
  }

  /** The function was deleted (its jobs with it): nothing is left to do, and no later attempt should run. */
  private void deleted() {
    shutdown.request(new Shutdown.Reason(FinalApplicationStatus.SUCCEEDED, Shutdown.EXIT_SUCCESS,
        "function " + functionId + " was deleted", true));
  }

  private void lostLeadership(StaleFenceException stale, boolean lastAttempt) {
    shutdown.request(new Shutdown.Reason(FinalApplicationStatus.FAILED, Shutdown.EXIT_LOST_LEADERSHIP,
        stale != null ? stale.getMessage() : "lost the ZooKeeper session of function " + functionId, lastAttempt));
  }

  private static Optional<Submission> submission(ChildData data) {
    String path = data.getPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (!name.startsWith("s-") || data.getData() == null || data.getData().length == 0) {
      return Optional.empty();
    }
    return Optional.of(Submission.parse(name, data.getData()));
  }

  /**
   * A client canceled a running job: CANCEL → CANCELING, and its executor is told to kill it. False if that could not
   * be done (the request is tried again).
   */
  private static boolean forwardCancel(Scheduler scheduler, Dispatcher dispatcher, String jobId) {
    try {
      scheduler.cancelRequested(jobId).ifPresent(executor -> dispatcher.cancel(executor, jobId));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (RuntimeException e) {
      LOG.warn("cancelling job {} failed (tried again)", jobId, e);
      return false;
    }
  }

  private Dispatcher.Work work(BlobStore blobs, ExecutorRegistry registry) {
    return new Dispatcher.Work() {
      @Override
      public ObjectNode welcome() {
        FunctionRecord f = function;
        ObjectNode welcome = JsonNodeFactory.instance.objectNode();
        welcome.put("callable", f.callable());
        welcome.put("python", interpreter(f));
        welcome.put("owner", f.owner());
        return welcome;
      }

      @Override
      public ObjectNode jobMessage(JobRecord job) throws IOException {
        FunctionRecord f = function;
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("job", job.id());
        message.put("attempt", job.executionCount());
        JsonNode args = job.args();
        JsonNode kwargs = job.kwargs();
        if (job.argsFile() != null) {
          JsonNode stored = Json.tree(blobs.read(job.argsFile())
              .orElseThrow(() -> new IOException("the arguments of job " + job.id() + " are missing")));
          args = stored.get("args");
          kwargs = stored.get("kwargs");
        }
        message.set("args", args == null ? JsonNodeFactory.instance.arrayNode() : args);
        message.set("kwargs", kwargs == null ? JsonNodeFactory.instance.objectNode() : kwargs);
        Map<String, String> env = new LinkedHashMap<>(f.environment());
        env.putAll(job.environment());
        ObjectNode envNode = message.putObject("environment");
        env.forEach(envNode::put);
        message.put("timeout", f.timeout());
        message.put("memory", f.memory());
        message.put("process", f.jobProcess().wire());
        message.put("maxJobsPerProcess", f.maxJobsPerProcess());
        message.put("processMemoryBytes", (long) (f.memory() * 1024L * 1024L * conf.getFloat(
            SpoolConfig.JOB_PROCESS_MEMORY_SHARE, SpoolConfig.JOB_PROCESS_MEMORY_SHARE_DEFAULT)));
        return message;
      }

      @Override
      public boolean admit(String container) {
        return registry.connected(container);
      }

      @Override
      public boolean retire(String container) {
        FunctionRecord f = function;
        return registry.retire(container, Allocator.executorResource(f, memoryOverheadMb()), f.maximumConcurrency());
      }
    };
  }

  private int memoryOverheadMb() {
    return conf.getInt(SpoolConfig.EXECUTOR_MEMORY_OVERHEAD_MB, SpoolConfig.EXECUTOR_MEMORY_OVERHEAD_MB_DEFAULT);
  }

  /** The function's interpreter as its containers see it. */
  String interpreter(FunctionRecord f) {
    Images.Image image = Images.resolve(conf, f.image());
    return image.kind() == Images.Kind.ARCHIVE ? "./" + PYTHON_DIR + "/" + image.interpreter() : image.interpreter();
  }

  /** Adds what the function's image needs to a container: the packed interpreter, or the Docker runtime. */
  void addImage(FunctionRecord f, BlobStore blobs, Map<String, LocalResource> resources, Map<String, String> env)
      throws IOException {
    Images.Image image = Images.resolve(conf, f.image());
    if (image.kind() == Images.Kind.ARCHIVE) {
      Path archive = image.location().startsWith("/") || image.location().contains("://")
          ? new Path(image.location()) : blobs.resolve(image.location());
      resources.put(PYTHON_DIR, resource(blobs.fileSystem(), archive, LocalResourceType.ARCHIVE));
    } else if (image.kind() == Images.Kind.DOCKER) {
      env.put("YARN_CONTAINER_RUNTIME_TYPE", "docker");
      env.put("YARN_CONTAINER_RUNTIME_DOCKER_IMAGE", image.location());
    }
  }

  /** What an executor container runs: the runner, with the function's (built) bundle and environment. */
  private LaunchSpec executorSpec(BlobStore blobs, String host, int port) {
    FunctionRecord f = function;
    try {
      Map<String, LocalResource> resources = commonResources(blobs);
      resources.put(ExecutorMain.BUNDLE_DIR, resource(blobs.fileSystem(), blobs.resolve(f.runBundle()),
          LocalResourceType.ARCHIVE));
      Map<String, String> env = containerEnvironment(conf, interpreter(f));
      addImage(f, blobs, resources, env);
      if (f.environmentHash() != null) {
        resources.put(ENVIRONMENT_DIR, sharedResource(blobs.fileSystem(),
            blobs.resolve(BlobStore.environment(f.environmentHash())), LocalResourceType.ARCHIVE));
        env.put("PYTHONPATH", ApplicationConstants.Environment.PWD.$$() + "/" + ENVIRONMENT_DIR);
      }
      String command = javaCommand(conf, conf.getInt(SpoolConfig.EXECUTOR_RUNNER_HEAP_MB,
          SpoolConfig.EXECUTOR_RUNNER_HEAP_MB_DEFAULT), ExecutorMain.class.getName() + " " + host + " " + port);
      return new LaunchSpec(resources, env, command);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the executors of function " + functionId, e);
    }
  }

  /** The distribution jar and the job configuration, which every container of this master gets. */
  static Map<String, LocalResource> commonResources(BlobStore blobs) throws IOException {
    Map<String, LocalResource> resources = new HashMap<>();
    resources.put(DIST_JAR_NAME, resource(blobs.fileSystem(), new Path(System.getenv(ENV_DIST_JAR)),
        LocalResourceType.FILE));
    resources.put(ExecutorMain.JOB_CONF, resource(blobs.fileSystem(), new Path(System.getenv(ENV_JOB_CONF)),
        LocalResourceType.FILE));
    return resources;
  }

  /** A JVM command line of Spool's containers, with YARN's add-opens token and logs to the container's log dir. */
  static String javaCommand(Configuration conf, int heapMb, String mainAndArgs) {
    String options = conf.getTrimmed(SpoolConfig.CONTAINER_JAVA_OPTIONS, SpoolConfig.CONTAINER_JAVA_OPTIONS_DEFAULT);
    return ApplicationConstants.Environment.JAVA_HOME.$$() + "/bin/java -Xmx" + heapMb
        + "m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 " + ApplicationConstants.JVM_ADD_OPENS_VAR + " "
        + (options.isEmpty() ? "" : options + " ") + mainAndArgs
        + " 1>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stdout"
        + " 2>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stderr";
  }

  /** A localizable resource for a file on the cluster's file system, private to this application. */
  public static LocalResource resource(FileSystem fs, Path path, LocalResourceType type) throws IOException {
    return resource(fs, path, type, LocalResourceVisibility.APPLICATION);
  }

  /**
   * A localizable resource that NodeManagers keep for every application if everyone may read it (built
   * environments: one download per node however many functions use them); private otherwise.
   */
  static LocalResource sharedResource(FileSystem fs, Path path, LocalResourceType type) throws IOException {
    return resource(fs, path, type, isPublic(fs, path) ? LocalResourceVisibility.PUBLIC
        : LocalResourceVisibility.APPLICATION);
  }

  private static LocalResource resource(FileSystem fs, Path path, LocalResourceType type,
      LocalResourceVisibility visibility) throws IOException {
    FileStatus status = fs.getFileStatus(path);
    return LocalResource.newInstance(ConverterUtils.getYarnUrlFromPath(fs.makeQualified(path)), type,
        visibility, status.getLen(), status.getModificationTime());
  }

  /** Readable by everyone, with every ancestor directory searchable by everyone (YARN's rule for public). */
  private static boolean isPublic(FileSystem fs, Path path) throws IOException {
    if (!fs.getFileStatus(path).getPermission().getOtherAction().implies(FsAction.READ)) {
      return false;
    }
    for (Path dir = fs.makeQualified(path).getParent(); dir != null; dir = dir.getParent()) {
      if (!fs.getFileStatus(dir).getPermission().getOtherAction().implies(FsAction.EXECUTE)) {
        return false;
      }
    }
    return true;
  }

  /** The variable through which Hadoop's login takes its user where there is no Kerberos. */
  static final String HADOOP_USER_NAME = "HADOOP_USER_NAME";

  /**
   * The environment of Spool's JVM containers: CLASSPATH with the distribution jar first and then the cluster's
   * application classpath; an explicit JAVA_HOME (if configured) and a PATH that starts with the Java and Python
   * in use (containers do not inherit the NodeManager's PATH). On a cluster without Kerberos, HADOOP_USER_NAME
   * names the user this process acts for (the function's owner), so that the container's files are the owner's
   * too.
   */
  public static Map<String, String> containerEnvironment(Configuration conf, String python) throws IOException {
    Map<String, String> env = new HashMap<>();
    if (!UserGroupInformation.isSecurityEnabled()) {
      env.put(HADOOP_USER_NAME, UserGroupInformation.getCurrentUser().getShortUserName());
    }
    StringBuilder classpath = new StringBuilder(ApplicationConstants.Environment.PWD.$$())
        .append(ApplicationConstants.CLASS_PATH_SEPARATOR)
        .append(ApplicationConstants.Environment.PWD.$$()).append('/').append(DIST_JAR_NAME);
    for (String entry : conf.getTrimmedStrings(YarnConfiguration.YARN_APPLICATION_CLASSPATH,
        YarnConfiguration.DEFAULT_YARN_CROSS_PLATFORM_APPLICATION_CLASSPATH)) {
      classpath.append(ApplicationConstants.CLASS_PATH_SEPARATOR).append(entry);
    }
    env.put(ApplicationConstants.Environment.CLASSPATH.name(), classpath.toString());
    String javaHome = conf.getTrimmed(SpoolConfig.CONTAINER_JAVA_HOME, SpoolConfig.CONTAINER_JAVA_HOME_DEFAULT);
    StringBuilder path = new StringBuilder();
    if (!javaHome.isEmpty()) {
      env.put(ApplicationConstants.Environment.JAVA_HOME.name(), javaHome);
      path.append(javaHome).append("/bin:");
    }
    if (python != null && python.startsWith("/")) {
      path.append(python, 0, python.lastIndexOf('/')).append(':');
    }
    path.append("/usr/local/bin:/usr/bin:/bin");
    env.put("PATH", path.toString());
    return env;
  }
}
