package io.spool.client.internal;

import io.spool.appmaster.MasterLaunch;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.UserSecrets;
import io.spool.core.config.SpoolConfig;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.state.StaleLeadership;
import io.spool.core.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.security.token.TokenIdentifier;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.ApplicationSubmissionContext;
import org.apache.hadoop.yarn.api.records.NodeLabel;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.QueueInfo;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.ClientRMProxy;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.client.api.YarnClientApplication;
import org.apache.hadoop.yarn.client.util.YarnClientUtils;
import org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.hadoop.yarn.util.ConverterUtils;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a function's master on YARN when none is live: one application per function, of type {@code SPOOL}, named
 * {@code spool:<function name>:<function id>} and tagged {@code spool-function-<function id>}, in the function's
 * queue, with its priority and node label expression. These are fixed when the application is submitted: a function
 * whose placement was updated gets it with its next master.
 */
public final class MasterStarter {

  private static final Logger LOG = LoggerFactory.getLogger(MasterStarter.class);

  private static final String TAG_PREFIX = "spool-function-";

  /** The YARN application type of function masters. */
  public static final String APPLICATION_TYPE = "SPOOL";

  private static final EnumSet<YarnApplicationState> ACTIVE = EnumSet.of(YarnApplicationState.NEW,
      YarnApplicationState.NEW_SAVING, YarnApplicationState.SUBMITTED, YarnApplicationState.ACCEPTED,
      YarnApplicationState.RUNNING);

  /** Statuses in which a function's master has something to do: build its environment, run its jobs. */
  private static final Set<FunctionStatus> NEEDS_MASTER = EnumSet.of(FunctionStatus.BUILDING, FunctionStatus.READY);

  private final Configuration conf;
  private final StateStore store;
  private final BlobStore blobs;
  private final java.util.function.Supplier<YarnClient> yarnClient;
  private String distJar;
  private volatile Resource maximum;

  /** {@code yarn} gives the ResourceManager's client, made on first use: a live master's check may need none. */
  public MasterStarter(Configuration conf, StateStore store, BlobStore blobs,
      java.util.function.Supplier<YarnClient> yarn) {
    this.conf = conf;
    this.store = store;
    this.blobs = blobs;
    this.yarnClient = yarn;
  }

  private YarnClient yarn() {
    return yarnClient.get();
  }

  /** The YARN tag of a function's master. */
  public static String tag(String functionId) {
    return TAG_PREFIX + functionId;
  }

  /**
   * The YARN application name of a function's master: function names are not unique and {@code yarn application
   * -list} shows no tags, so the name carries the id too.
   */
  public static String applicationName(FunctionRecord function) {
    return "spool:" + function.name() + ":" + function.id();
  }

  /** A node label expression, or null for none (absent or blank). */
  public static String nodeLabel(String expression) {
    return expression == null || expression.isBlank() ? null : expression.strip();
  }

  /** The function's queue; records older than the attribute have none and get the configured one. */
  public String queue(FunctionRecord function) {
    return queue(conf, function);
  }

  /** The function's YARN queue: its own, or the configured default. */
  public static String queue(Configuration conf, FunctionRecord function) {
    return function.queue() != null ? function.queue()
        : conf.getTrimmed(SpoolConfig.YARN_QUEUE, SpoolConfig.YARN_QUEUE_DEFAULT);
  }

  /**
   * Refuses a queue that the ResourceManager does not know and a node label that no node has (or any label when the
   * cluster has node labels disabled), each with what to change.
   */
  public void checkPlacement(FunctionRecord function) {
    String queue = queue(function);
    try {
      QueueInfo info;
      try {
        info = yarn().getQueueInfo(queue);
      } catch (IOException | YarnException unknown) {
        info = null;
      }
      if (info == null) {
        throw new IllegalArgumentException("YARN queue '" + queue + "' does not exist: choose one of "
            + queueNames() + " with --queue (or set " + SpoolConfig.YARN_QUEUE + ")");
      }
      String label = nodeLabel(function.nodeLabel());
      if (label != null) {
        Set<String> labels;
        try {
          labels = yarn().getClusterNodeLabels().stream().map(NodeLabel::getName).collect(Collectors.toSet());
        } catch (IOException | YarnException disabled) {
          throw new IllegalArgumentException("node label '" + label + "' cannot be used: the cluster's node labels "
              + "are not available (" + firstLine(disabled) + "); drop --node-label (or "
              + SpoolConfig.YARN_NODE_LABEL + ") or ask the cluster's administrator to enable "
              + "'yarn.node-labels.enabled'", disabled);
        }
        if (!labels.contains(label)) {
          throw new IllegalArgumentException("node label '" + label + "' does not exist on this cluster "
              + (labels.isEmpty() ? "(it has no node labels)" : "(its labels: " + new TreeSet<>(labels) + ")")
              + ": choose another with --node-label (or " + SpoolConfig.YARN_NODE_LABEL + "), or drop it");
        }
      }
    } catch (IOException | YarnException e) {
      throw new UncheckedIOException(new IOException("cannot ask the ResourceManager about queue " + queue
          + ": " + e.getMessage(), e));
    }
  }

  private List<String> queueNames() throws IOException, YarnException {
    return yarn().getAllQueues().stream().map(QueueInfo::getQueueName).sorted().collect(Collectors.toList());
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** The largest container the cluster grants. */
  public Resource maximumResource() throws IOException {
    if (maximum != null) {
      return maximum;
    }
    try {
      // the only client call that says it creates an application id: ask once per connection
      maximum = yarn().createApplication().getNewApplicationResponse().getMaximumResourceCapability();
      return maximum;
    } catch (YarnException e) {
      throw new IOException("cannot ask the ResourceManager for its limits: " + e.getMessage(), e);
    }
  }

  /**
   * Starts a master for the function unless one is live or already starting, or unless the function is STOPPED or
   * BUILD_FAILED: then no job of it can start, and {@code start()} starts a master when it becomes READY. Where a
   * supervisor is active, a live node is taken at its word (no call to YARN: a short command stays short), for the
   * supervisor replaces a master that died. What ended masters left in ZooKeeper (their lock nodes, a live node) is
   * removed before a master starts, so the new one need not wait for their sessions to expire.
   *
   * @return whether a master was started
   */
  public synchronized boolean ensureMaster(FunctionRecord function) throws IOException {
    if (!NEEDS_MASTER.contains(function.status())) {
      return false;
    }
    try {
      byte[] live = liveNode(function.id());
      if (live != null && function.enabled() && supervised()) {
        // a live node can outlast a killed master, but then the supervisor starts a new one: no need to ask YARN
        return false;
      }
      if (live != null && liveMasterRuns(live)) {
        return false;
      }
      return startUnlessActive(function);
    } catch (YarnException e) {
      throw new IOException("cannot start the master of function " + function.id() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts a master for the function unless a YARN application of it is active (whatever its live node says), after
   * removing what ended masters left in ZooKeeper; the supervisor's way, which trusts no live node.
   *
   * @return whether a master was started
   */
  public synchronized boolean startUnlessActive(FunctionRecord function) throws IOException {
    if (!NEEDS_MASTER.contains(function.status())) {
      return false;
    }
    try {
      List<ApplicationReport> active = yarn().getApplications(Set.of(APPLICATION_TYPE), ACTIVE, Set.of(tag(function.id())));
      if (!active.isEmpty()) {
        return false;
      }
      // no application of the function is active: whatever names one is left from an ended master
      StaleLeadership.clear(store.curator(), store.layout(), function.id(), application -> true);
      startMaster(function);
      return true;
    } catch (YarnException e) {
      throw new IOException("cannot start the master of function " + function.id() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot clear the ended masters of function " + function.id() + ": " + e.getMessage(), e);
    }
  }

  /** The ids of the functions whose masters are active YARN applications that this user may see. */
  public Set<String> functionsWithActiveMasters() throws IOException {
    try {
      Set<String> ids = new java.util.HashSet<>();
      for (ApplicationReport app : yarn().getApplications(Set.of(APPLICATION_TYPE), ACTIVE)) {
        for (String tag : app.getApplicationTags()) {
          if (tag.startsWith(TAG_PREFIX)) {
            ids.add(tag.substring(TAG_PREFIX.length()));
          }
        }
      }
      return ids;
    } catch (YarnException e) {
      throw new IOException("cannot list the active masters: " + e.getMessage(), e);
    }
  }

  /** How the function's latest master ended, as YARN tells it (its application, final state and diagnostics). */
  public Optional<String> lastMasterDiagnostics(String functionId) throws IOException {
    try {
      return yarn().getApplications(Set.of(APPLICATION_TYPE), null, Set.of(tag(functionId))).stream()
          .max(java.util.Comparator.comparingLong(ApplicationReport::getStartTime))
          .map(app -> app.getApplicationId() + " " + app.getYarnApplicationState()
              + (app.getDiagnostics() == null || app.getDiagnostics().isBlank() ? ""
                  : ": " + app.getDiagnostics().strip().replaceAll("\\s+", " ")));
    } catch (YarnException e) {
      throw new IOException("cannot ask YARN about the masters of function " + functionId + ": " + e.getMessage(), e);
    }
  }

  /** The function's live node (where its live master listens), or null if it has none. */
  private byte[] liveNode(String functionId) throws IOException {
    try {
      return store.curator().getData().forPath(store.layout().masterLive(functionId));
    } catch (KeeperException.NoNodeException none) {
      return null;
    } catch (Exception e) {
      throw new IOException("cannot check the master of function " + functionId, e);
    }
  }

  /** Whether a supervisor is active on this cluster (it restarts the master of a function with work). */
  private boolean supervised() {
    try {
      return !store.curator().getChildren().forPath(store.layout().supervisorLeader()).isEmpty();
    } catch (Exception none) {
      return false;
    }
  }

  /**
   * Whether the master that a live node names is still an active YARN application. A live node can outlast its
   * master for a session timeout (a cluster restarted, a master killed), so the node alone is not proof.
   */
  private boolean liveMasterRuns(byte[] live) throws IOException, YarnException {
    String applicationId = StaleLeadership.liveApplication(live);
    if (applicationId == null) {
      return false;
    }
    try {
      return ACTIVE.contains(yarn().getApplicationReport(ApplicationId.fromString(applicationId))
          .getYarnApplicationState());
    } catch (ApplicationNotFoundException | IllegalArgumentException gone) {
      return false;
    }
  }

  /** Kills the function's active masters (before the function is deleted). */
  public void stopMasters(String functionId) throws IOException {
    try {
      for (ApplicationReport app : yarn().getApplications(Set.of(APPLICATION_TYPE), ACTIVE, Set.of(tag(functionId)))) {
        yarn().killApplication(app.getApplicationId(), "function " + functionId + " is being deleted");
      }
    } catch (YarnException e) {
      throw new IOException("cannot stop the master of function " + functionId + ": " + e.getMessage(), e);
    }
  }

  /**
   * Submits a master for the function unconditionally. Use {@link #ensureMaster}; a second master started this way
   * waits for the first one's lock and exits when it cannot take it.
   */
  public void startMaster(FunctionRecord function) throws IOException, YarnException {
    YarnClientApplication app = yarn().createApplication();
    ApplicationSubmissionContext context = app.getApplicationSubmissionContext();
    String jobConf = BlobStore.functionDir(function.owner(), function.id()) + "/job-conf.xml";
    blobs.write(jobConf, clientConfiguration());
    context.setApplicationName(applicationName(function));
    context.setApplicationType(APPLICATION_TYPE);
    context.setApplicationTags(Set.of(tag(function.id())));
    context.setQueue(queue(function));
    context.setPriority(Priority.newInstance(function.priority()));
    String label = nodeLabel(function.nodeLabel());
    if (label != null) {
      // the ResourceManager gives the master's own container this expression too, unless its request names another
      context.setNodeLabelExpression(label);
    }
    context.setMaxAppAttempts(conf.getInt(SpoolConfig.MASTER_MAX_ATTEMPTS, SpoolConfig.MASTER_MAX_ATTEMPTS_DEFAULT));
    context.setResource(Resource.newInstance(
        conf.getInt(SpoolConfig.MASTER_MEMORY_MB, SpoolConfig.MASTER_MEMORY_MB_DEFAULT), 1));
    context.setAMContainerSpec(MasterLaunch.context(conf, blobs.fileSystem(), blobs.resolve(distJar()),
        blobs.resolve(jobConf), function.id(), conf.getInt(SpoolConfig.MASTER_HEAP_MB, SpoolConfig.MASTER_HEAP_MB_DEFAULT),
        masterCredentials(function), ownerKeytab(function)));
    yarn().submitApplication(context);
    LOG.info("started master {} of function {}", context.getApplicationId(), function.id());
  }

  /** The client's configuration, without what only Hadoop's default files say. */
  /**
   * What the master gets in its YARN Credentials besides its channel secret: the owner's Spool secret (for
   * ZooKeeper, where ACLs are on) and, on a cluster with Kerberos, delegation tokens of the file system and the
   * ResourceManager, obtained now as this client's user with the ResourceManager as their renewer (YARN renews them
   * for as long as the application runs, up to their maximum lifetime).
   */
  private Credentials masterCredentials(FunctionRecord function) throws IOException, YarnException {
    Credentials credentials = new Credentials();
    if (conf.getBoolean(SpoolConfig.ZOOKEEPER_ACLS, SpoolConfig.ZOOKEEPER_ACLS_DEFAULT)) {
      credentials.addSecretKey(UserSecrets.ALIAS, UserSecrets.readOrCreate(blobs, function.owner()));
    }
    if (UserGroupInformation.isSecurityEnabled()) {
      String renewer = YarnClientUtils.getRmPrincipal(conf);
      blobs.fileSystem().addDelegationTokens(renewer, credentials);
      org.apache.hadoop.yarn.api.records.Token rm = yarn().getRMDelegationToken(new Text(renewer));
      Token<TokenIdentifier> token = ConverterUtils.convertFromYarn(rm, ClientRMProxy.getRMDelegationTokenService(conf));
      credentials.addToken(token.getService(), token);
    }
    return credentials;
  }

  /**
   * Where the cluster has Kerberos and this client, the function's owner, logs in from a keytab
   * ({@code spool.kerberos.keytab}), a copy of it in the owner's 0700 directory (0600), for the master to obtain fresh
   * delegation tokens with once YARN can no longer renew the first ones; null otherwise.
   */
  private org.apache.hadoop.fs.Path ownerKeytab(FunctionRecord function) throws IOException {
    String keytab = conf.getTrimmed(SpoolConfig.KERBEROS_KEYTAB, SpoolConfig.KERBEROS_KEYTAB_DEFAULT);
    UserGroupInformation current = UserGroupInformation.getCurrentUser();
    if (!UserGroupInformation.isSecurityEnabled() || keytab.isEmpty()
        || conf.getTrimmed(SpoolConfig.KERBEROS_PRINCIPAL, SpoolConfig.KERBEROS_PRINCIPAL_DEFAULT).isEmpty()
        // a server acting for the owner (a proxy user) logs in from its own keytab: that one never leaves it
        || current.getRealUser() != null || !current.getShortUserName().equals(function.owner())) {
      return null;
    }
    blobs.ensureUserDir(function.owner());
    org.apache.hadoop.fs.Path copy = blobs.resolve(BlobStore.userDir(function.owner()) + "/spool.keytab");
    blobs.fileSystem().copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(
        Paths.get(keytab).toAbsolutePath().toUri()), copy);
    blobs.fileSystem().setPermission(copy, new org.apache.hadoop.fs.permission.FsPermission((short) 0600));
    return copy;
  }

  private byte[] clientConfiguration() throws IOException {
    Configuration own = new Configuration(false);
    for (var entry : conf) {
      String[] sources = conf.getPropertySources(entry.getKey());
      boolean onlyDefaults = sources != null && sources.length > 0
          && Arrays.stream(sources).allMatch(s -> s.endsWith("-default.xml"));
      if (!onlyDefaults) {
        own.set(entry.getKey(), entry.getValue());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    own.writeXml(out);
    return out.toByteArray();
  }

  /** The distribution jar on the file system, uploaded once per content (named by its SHA-256). */
  private String distJar() throws IOException {
    if (distJar == null) {
      Path local = localDistJar();
      String relative = BlobStore.LIB + "/spool-" + sha256(local).substring(0, 16) + ".jar";
      if (!blobs.exists(relative)) {
        String temporary = relative + "." + System.nanoTime() + ".tmp";
        blobs.upload(local, temporary);
        if (!blobs.fileSystem().rename(blobs.resolve(temporary), blobs.resolve(relative))) {
          blobs.delete(temporary, false);
        }
      }
      distJar = relative;
    }
    return distJar;
  }

  private Path localDistJar() {
    String configured = conf.getTrimmed(SpoolConfig.DIST_JAR, SpoolConfig.DIST_JAR_DEFAULT);
    Path jar;
    if (!configured.isEmpty()) {
      jar = Paths.get(configured);
    } else {
      try {
        jar = Paths.get(MasterStarter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
      throw new IllegalStateException("cannot find Spool's distribution jar (looked at " + jar + "): build it with "
          + "'mvn package' and set " + SpoolConfig.DIST_JAR + " to dist/target/spool-<version>.jar");
    }
    return jar;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
