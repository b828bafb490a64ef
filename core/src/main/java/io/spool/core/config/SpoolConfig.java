package io.spool.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Every configuration key of Spool, with its default. Spool's keys live in {@code spool-site.xml} beside the
 * cluster's own Hadoop configuration; {@code conf/spool-default.xml} documents the same keys and defaults, and a
 * test checks that the two agree.
 */
public final class SpoolConfig {

  /** The file name of Spool's site configuration. */
  public static final String SITE_FILE = "spool-site.xml";

  /** Environment variable naming the directory that holds {@code spool-site.xml}. */
  public static final String CONF_DIR_ENV = "SPOOL_CONF_DIR";

  /** ZooKeeper connect string of the cluster's Spool state. */
  public static final String ZOOKEEPER_QUORUM = "spool.zookeeper.quorum";
  public static final String ZOOKEEPER_QUORUM_DEFAULT = "localhost:2181";

  /** ZooKeeper root under which all Spool state lives. */
  public static final String ZOOKEEPER_ROOT = "spool.zookeeper.root";
  public static final String ZOOKEEPER_ROOT_DEFAULT = "/spool";

  /** ZooKeeper session timeout in milliseconds. */
  public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "spool.zookeeper.session-timeout-ms";
  public static final int ZOOKEEPER_SESSION_TIMEOUT_MS_DEFAULT = 30_000;

  /**
   * Whether the ZooKeeper nodes of a user's functions and jobs are theirs alone: writable and readable only with
   * the user's Spool secret (ZooKeeper's digest scheme; the secret lives in the user's 0700 HDFS directory) and
   * readable by {@code spool.zookeeper.admin-acls}. Off: every node is open to every ZooKeeper client.
   */
  public static final String ZOOKEEPER_ACLS = "spool.zookeeper.acls";
  public static final boolean ZOOKEEPER_ACLS_DEFAULT = true;

  /**
   * ZooKeeper ids that may read every user's nodes (the cluster's Spool administrators), comma-separated as
   * {@code scheme:id}, e.g. {@code sasl:spool,digest:ops:<base64 sha1 of ops:password>}.
   */
  public static final String ZOOKEEPER_ADMIN_ACLS = "spool.zookeeper.admin-acls";
  public static final String ZOOKEEPER_ADMIN_ACLS_DEFAULT = "";

  /**
   * On a cluster with Kerberos, the principal a client logs in as when its user has no ticket (e.g. a scheduler's
   * service user), with {@code spool.kerberos.keytab}. Empty: the ticket from {@code kinit}'s cache is used.
   */
  public static final String KERBEROS_PRINCIPAL = "spool.kerberos.principal";
  public static final String KERBEROS_PRINCIPAL_DEFAULT = "";

  /** The keytab of {@code spool.kerberos.principal}. */
  public static final String KERBEROS_KEYTAB = "spool.kerberos.keytab";
  public static final String KERBEROS_KEYTAB_DEFAULT = "";

  /** Root directory of Spool's data on the default file system (bundles, results, logs, environments). */
  public static final String HDFS_ROOT = "spool.hdfs.root";
  public static final String HDFS_ROOT_DEFAULT = "/spool";

  /** Image used when a function names none. */
  public static final String IMAGE_DEFAULT = "spool.image.default";
  public static final String IMAGE_DEFAULT_DEFAULT = "python3.11";

  /** Prefix of per-image keys ({@code .interpreter}, {@code .archive}, {@code .docker}); see {@link Images}. */
  public static final String IMAGE_PREFIX = "spool.image.";
  public static final String IMAGE_INTERPRETER_SUFFIX = ".interpreter";

  /** Default CPUs per job. */
  public static final String FUNCTION_CPUS = "spool.function.cpus";
  public static final String FUNCTION_CPUS_DEFAULT = "1";

  /** Default memory per job, MiB or a size string such as {@code 2Gi}. */
  public static final String FUNCTION_MEMORY = "spool.function.memory";
  public static final String FUNCTION_MEMORY_DEFAULT = "2048";

  /** Default most jobs of a function running at once. */
  public static final String FUNCTION_MAXIMUM_CONCURRENCY = "spool.function.maximum-concurrency";
  public static final int FUNCTION_MAXIMUM_CONCURRENCY_DEFAULT = 5;

  /** Default seconds one attempt of a job may run. */
  public static final String FUNCTION_TIMEOUT = "spool.function.timeout";
  public static final int FUNCTION_TIMEOUT_DEFAULT = 1800;

  /** Default retries of a job that failed by its own fault. */
  public static final String FUNCTION_RETRY_COUNT = "spool.function.retry-count";
  public static final int FUNCTION_RETRY_COUNT_DEFAULT = 0;

  /** How a new function's jobs get their Python process: {@code fresh} (one per job) or {@code reused}. */
  public static final String FUNCTION_JOB_PROCESS = "spool.function.job-process";
  public static final String FUNCTION_JOB_PROCESS_DEFAULT = "fresh";

  /** A new function's most jobs per reused process before it is replaced; 0 for no limit. */
  public static final String FUNCTION_MAX_JOBS_PER_PROCESS = "spool.function.max-jobs-per-process";
  public static final int FUNCTION_MAX_JOBS_PER_PROCESS_DEFAULT = 0;

  /**
   * Share of a function's memory above which a reused job process, its resident memory measured after a job, is
   * replaced before the next job.
   */
  public static final String JOB_PROCESS_MEMORY_SHARE = "spool.job-process.memory-share";
  public static final float JOB_PROCESS_MEMORY_SHARE_DEFAULT = 0.8f;

  /** Memory in MiB added to a function's memory for the runner of each executor container. */
  public static final String EXECUTOR_MEMORY_OVERHEAD_MB = "spool.executor.memory-overhead-mb";
  public static final int EXECUTOR_MEMORY_OVERHEAD_MB_DEFAULT = 384;

  /** Maximum heap of the runner JVM in each executor container, MiB. */
  public static final String EXECUTOR_RUNNER_HEAP_MB = "spool.executor.runner-heap-mb";
  public static final int EXECUTOR_RUNNER_HEAP_MB_DEFAULT = 128;

  /** Memory of the function master's container, MiB. */
  public static final String MASTER_MEMORY_MB = "spool.master.memory-mb";
  public static final int MASTER_MEMORY_MB_DEFAULT = 512;

  /** Maximum heap of the function master JVM, MiB. */
  public static final String MASTER_HEAP_MB = "spool.master.heap-mb";
  public static final int MASTER_HEAP_MB_DEFAULT = 320;

  /** Attempts YARN makes at a function master. */
  public static final String MASTER_MAX_ATTEMPTS = "spool.master.max-attempts";
  public static final int MASTER_MAX_ATTEMPTS_DEFAULT = 2;

  /**
   * Milliseconds a master with no pending or running job waits before it exits (the next submission starts one). The
   * master of a STOPPED function exits as soon as none of its jobs runs (start() starts one).
   */
  public static final String MASTER_IDLE_EXIT_MS = "spool.master.idle-exit-ms";
  public static final long MASTER_IDLE_EXIT_MS_DEFAULT = 120_000L;

  /**
   * Whether this Spool server (and the embedded cluster's) runs a supervisor: it starts the masters of functions that
   * have work and no live master, so that no work waits on a client. One supervisor is active per cluster.
   */
  public static final String SUPERVISOR_ENABLED = "spool.supervisor.enabled";
  public static final boolean SUPERVISOR_ENABLED_DEFAULT = true;

  /** Milliseconds between the supervisor's checks of the masters of functions with work (YARN's view of them). */
  public static final String SUPERVISOR_POLL_INTERVAL_MS = "spool.supervisor.poll-interval-ms";
  public static final long SUPERVISOR_POLL_INTERVAL_MS_DEFAULT = 2_000L;

  /** Milliseconds between the supervisor's full scans of every function (watches catch changes in between). */
  public static final String SUPERVISOR_SCAN_INTERVAL_MS = "spool.supervisor.scan-interval-ms";
  public static final long SUPERVISOR_SCAN_INTERVAL_MS_DEFAULT = 60_000L;

  /**
   * Milliseconds a function with work must have been without a live master before the supervisor starts one (a
   * client that has just submitted starts its own).
   */
  public static final String SUPERVISOR_GRACE_MS = "spool.supervisor.grace-ms";
  public static final long SUPERVISOR_GRACE_MS_DEFAULT = 1_000L;

  /** Most masters the supervisor starts for one function within {@value #SUPERVISOR_RESTART_WINDOW_MS}. */
  public static final String SUPERVISOR_RESTART_LIMIT = "spool.supervisor.restart-limit";
  public static final int SUPERVISOR_RESTART_LIMIT_DEFAULT = 5;

  /** The window, milliseconds, over which {@value #SUPERVISOR_RESTART_LIMIT} counts a function's restarts. */
  public static final String SUPERVISOR_RESTART_WINDOW_MS = "spool.supervisor.restart-window-ms";
  public static final long SUPERVISOR_RESTART_WINDOW_MS_DEFAULT = 600_000L;

  /** Milliseconds between a function's first and second restart; doubled for each further one. */
  public static final String SUPERVISOR_BACKOFF_INITIAL_MS = "spool.supervisor.backoff-initial-ms";
  public static final long SUPERVISOR_BACKOFF_INITIAL_MS_DEFAULT = 2_000L;

  /** The longest wait, milliseconds, between two restarts of a function's master. */
  public static final String SUPERVISOR_BACKOFF_MAX_MS = "spool.supervisor.backoff-max-ms";
  public static final long SUPERVISOR_BACKOFF_MAX_MS_DEFAULT = 60_000L;

  /** Milliseconds an executor with no job waits before the master releases it. */
  public static final String EXECUTOR_IDLE_RELEASE_MS = "spool.executor.idle-release-ms";
  public static final long EXECUTOR_IDLE_RELEASE_MS_DEFAULT = 30_000L;

  /**
   * Most jobs an executor holds beyond the one it runs, when its jobs are short (it asks for as many as take about
   * 100 ms, none while jobs take 500 ms or more); 0: one job at a time.
   */
  public static final String EXECUTOR_PREFETCH_MAX = "spool.executor.prefetch-max";
  public static final int EXECUTOR_PREFETCH_MAX_DEFAULT = 16;

  /**
   * Milliseconds past its job's timeout that an executor may stay silent before the master gives up on it and runs
   * the job elsewhere (uncharged).
   */
  public static final String EXECUTOR_SILENT_GRACE_MS = "spool.executor.silent-grace-ms";
  public static final long EXECUTOR_SILENT_GRACE_MS_DEFAULT = 60_000L;

  /** YARN queue of function masters and their executors: the default of a function's {@code queue}. */
  public static final String YARN_QUEUE = "spool.yarn.queue";
  public static final String YARN_QUEUE_DEFAULT = "default";

  /** YARN application priority of function masters: the default of a function's {@code priority}. */
  public static final String YARN_PRIORITY = "spool.yarn.priority";
  public static final int YARN_PRIORITY_DEFAULT = 0;

  /**
   * YARN node label expression of function masters and their executors: the default of a function's
   * {@code nodeLabel}; empty means none (the queue's default label).
   */
  public static final String YARN_NODE_LABEL = "spool.yarn.node-label";
  public static final String YARN_NODE_LABEL_DEFAULT = "";

  /** JAVA_HOME in containers; empty means the NodeManager's. */
  public static final String CONTAINER_JAVA_HOME = "spool.container.java-home";
  public static final String CONTAINER_JAVA_HOME_DEFAULT = "";

  /**
   * Extra JVM options of every Spool container (function masters, executors' runners, builds), e.g.
   * {@code -Djava.security.krb5.conf=/etc/krb5/krb5.conf} where the nodes keep Kerberos' configuration elsewhere.
   */
  public static final String CONTAINER_JAVA_OPTIONS = "spool.container.java-options";
  public static final String CONTAINER_JAVA_OPTIONS_DEFAULT = "";

  /** Local or HDFS path of the distribution jar that masters and executors run from; empty means the client's own. */
  public static final String DIST_JAR = "spool.dist.jar";
  public static final String DIST_JAR_DEFAULT = "";

  /** Most jobs one ZooKeeper multi-op of a {@code map} creates. */
  public static final String SUBMIT_BATCH_SIZE = "spool.submit.batch-size";
  public static final int SUBMIT_BATCH_SIZE_DEFAULT = 500;

  /** Job arguments whose JSON is larger than this many bytes go to HDFS; the job record points to them. */
  public static final String ARGS_INLINE_MAX_BYTES = "spool.job.args-inline-max-bytes";
  public static final int ARGS_INLINE_MAX_BYTES_DEFAULT = 16 * 1024;

  /** Largest bundle (zip of the function's code and data) a client may ship, bytes. */
  public static final String BUNDLE_MAX_BYTES = "spool.bundle.max-bytes";
  public static final long BUNDLE_MAX_BYTES_DEFAULT = 256L * 1024 * 1024;

  /** Memory of a function's build container, MiB. */
  public static final String BUILD_MEMORY_MB = "spool.build.memory-mb";
  public static final int BUILD_MEMORY_MB_DEFAULT = 1536;

  /**
   * How long the build waits for the function's entrypoint to import (as an executor imports it) before it fails the
   * build, milliseconds.
   */
  public static final String BUILD_CHECK_TIMEOUT_MS = "spool.build.check-timeout-ms";
  public static final long BUILD_CHECK_TIMEOUT_MS_DEFAULT = 120_000;

  /** pip's --index-url for builds; empty means pip's own configuration on the node. */
  public static final String BUILD_PIP_INDEX_URL = "spool.build.pip.index-url";
  public static final String BUILD_PIP_INDEX_URL_DEFAULT = "";

  /** pip's --extra-index-url for builds, comma-separated; empty means pip's own configuration. */
  public static final String BUILD_PIP_EXTRA_INDEX_URLS = "spool.build.pip.extra-index-urls";
  public static final String BUILD_PIP_EXTRA_INDEX_URLS_DEFAULT = "";

  /** pip's --find-links for builds, comma-separated; empty means pip's own configuration. */
  public static final String BUILD_PIP_FIND_LINKS = "spool.build.pip.find-links";
  public static final String BUILD_PIP_FIND_LINKS_DEFAULT = "";

  /** pip's --retries for builds; empty means pip's default (an unreachable index is then retried for long). */
  public static final String BUILD_PIP_RETRIES = "spool.build.pip.retries";
  public static final String BUILD_PIP_RETRIES_DEFAULT = "";

  /** pip's --timeout (seconds) for builds; empty means pip's default. */
  public static final String BUILD_PIP_TIMEOUT = "spool.build.pip.timeout";
  public static final String BUILD_PIP_TIMEOUT_DEFAULT = "";

  /**
   * Largest result kept in its job's record as well as in its segment, bytes: reading it then costs no read of the
   * file system. 0: none.
   */
  public static final String RESULT_INLINE_MAX_BYTES = "spool.result.inline-max-bytes";
  public static final int RESULT_INLINE_MAX_BYTES_DEFAULT = 128;

  /** Results larger than this many bytes get a file of their own; smaller ones share their executor's segments. */
  public static final String RESULT_OWN_FILE_BYTES = "spool.result.own-file-bytes";
  public static final long RESULT_OWN_FILE_BYTES_DEFAULT = 1024 * 1024;

  /** Size at which an executor closes a segment of results or logs and starts the next one, bytes. */
  public static final String SEGMENT_MAX_BYTES = "spool.segment.max-bytes";
  public static final long SEGMENT_MAX_BYTES_DEFAULT = 128L * 1024 * 1024;

  /**
   * Age at which an executor closes a segment and starts the next one, ms: the log retention goes by a segment's
   * modification time, which its close sets.
   */
  public static final String SEGMENT_MAX_AGE_MS = "spool.segment.max-age-ms";
  public static final long SEGMENT_MAX_AGE_MS_DEFAULT = 3_600_000L;

  /** Largest result a job may store, bytes; a larger one fails the job with a reason that names this key. */
  public static final String RESULT_MAX_BYTES = "spool.result.max-bytes";
  public static final long RESULT_MAX_BYTES_DEFAULT = 100L * 1024 * 1024;

  /** Largest log one attempt (or a build) keeps, bytes: past it the tail is kept and the cut is noted in the log. */
  public static final String LOG_MAX_BYTES = "spool.log.max-bytes";
  public static final long LOG_MAX_BYTES_DEFAULT = 10L * 1024 * 1024;

  /**
   * Most outstanding (PENDING or RUNNING) jobs one function may have; a submission or rerun that would pass it is
   * refused, and nothing of it is written. Zero or less: no limit.
   */
  public static final String LIMIT_OUTSTANDING_JOBS_PER_FUNCTION = "spool.limit.outstanding-jobs-per-function";
  public static final long LIMIT_OUTSTANDING_JOBS_PER_FUNCTION_DEFAULT = 1_000_000L;

  /**
   * Most outstanding (PENDING or RUNNING) jobs one user may have across all of their functions; a submission or
   * rerun that would pass it is refused, and nothing of it is written. Zero or less: no limit.
   */
  public static final String LIMIT_OUTSTANDING_JOBS_PER_USER = "spool.limit.outstanding-jobs-per-user";
  public static final long LIMIT_OUTSTANDING_JOBS_PER_USER_DEFAULT = 2_000_000L;

  /**
   * Most jobs that run at once for one user across all of their functions. The masters of the user's functions
   * share it through ZooKeeper, each getting a fair share of it while others want more. Zero or less: no limit
   * beyond each function's maximumConcurrency and the YARN queue.
   */
  public static final String LIMIT_RUNNING_JOBS_PER_USER = "spool.limit.running-jobs-per-user";
  public static final int LIMIT_RUNNING_JOBS_PER_USER_DEFAULT = 200;

  /** Milliseconds between copies of a running job's (or build's) log to the file system, so it can be read live. */
  public static final String LOG_FLUSH_INTERVAL_MS = "spool.log.flush-interval-ms";
  public static final long LOG_FLUSH_INTERVAL_MS_DEFAULT = 2_000L;

  /**
   * Days a job attempt's log is kept after it was last written; older ones are purged (by the running masters of
   * its owner's functions, or {@code spool admin purge}). Results are never purged.
   */
  public static final String LOG_RETENTION_DAYS = "spool.log.retention-days";
  public static final int LOG_RETENTION_DAYS_DEFAULT = 30;

  /**
   * Milliseconds between purges of one owner's expired logs by the masters of the owner's functions (at most one per
   * period between them, by the marker {@code users/<owner>/logs/.purged}).
   */
  public static final String PURGE_INTERVAL_MS = "spool.purge.interval-ms";
  public static final long PURGE_INTERVAL_MS_DEFAULT = 3_600_000L;

  /**
   * Milliseconds a function's completion-log entries are kept (clients waiting on jobs read them to learn which jobs
   * ended); a client that has not looked for longer than half of this reads its jobs again instead.
   */
  public static final String COMPLETIONS_RETENTION_MS = "spool.completions.retention-ms";
  public static final long COMPLETIONS_RETENTION_MS_DEFAULT = 600_000L;

  /** Host and port the Spool server of {@code spool server} listens on. */
  public static final String SERVER_ADDRESS = "spool.server.address";
  public static final String SERVER_ADDRESS_DEFAULT = "0.0.0.0:8770";

  /**
   * The Spool server's URL as browsers reach it, e.g. {@code http://spool.example.com:8770}: function masters set
   * their YARN tracking URL to their function's page under it. Empty: masters leave the tracking URL unset.
   */
  public static final String SERVER_URL = "spool.server.url";
  public static final String SERVER_URL_DEFAULT = "";

  /**
   * The user a request to the Spool server acts for when it names none ({@code ?user.name=}) and does not come
   * through the ResourceManager's web proxy with a user. Empty: such requests are refused (401).
   */
  public static final String SERVER_DEFAULT_USER = "spool.server.default-user";
  public static final String SERVER_DEFAULT_USER_DEFAULT = "";

  /**
   * Hosts (names or addresses) of the ResourceManager web proxies whose {@code proxy-user} cookie the Spool server
   * trusts as the requesting user. Empty: the hosts of {@code yarn.web-proxy.address}, else of
   * {@code yarn.resourcemanager.webapp.address}.
   */
  public static final String SERVER_PROXY_HOSTS = "spool.server.proxy-hosts";
  public static final String SERVER_PROXY_HOSTS_DEFAULT = "";

  /**
   * On a cluster with Kerberos, the principal with which the Spool server authenticates its users (SPNEGO), e.g.
   * {@code HTTP/_HOST@YOUR.REALM}; {@code _HOST} becomes the server's host name. Required there.
   */
  public static final String SERVER_KERBEROS_PRINCIPAL = "spool.server.kerberos.principal";
  public static final String SERVER_KERBEROS_PRINCIPAL_DEFAULT = "";

  /** The keytab of {@code spool.server.kerberos.principal}. */
  public static final String SERVER_KERBEROS_KEYTAB = "spool.server.kerberos.keytab";
  public static final String SERVER_KERBEROS_KEYTAB_DEFAULT = "";

  /** Longest a waiting request to the Spool server is held open, ms (below the web proxy's 60 s idle cut). */
  public static final String SERVER_LONG_POLL_MAX_MS = "spool.server.long-poll-max-ms";
  public static final long SERVER_LONG_POLL_MAX_MS_DEFAULT = 25_000L;

  /** Largest bundle the Spool server takes in one upload, bytes. */
  public static final String SERVER_UPLOAD_MAX_BYTES = "spool.server.upload-max-bytes";
  public static final long SERVER_UPLOAD_MAX_BYTES_DEFAULT = 256L << 20;

  private SpoolConfig() {}

  /**
   * The configuration a client or CLI starts from: Hadoop's own files from the classpath or
   * {@code HADOOP_CONF_DIR}, then {@code spool-site.xml} from {@code $SPOOL_CONF_DIR}, else from
   * {@code ~/.spool/conf}, else from the classpath. The launcher {@code bin/spool} names the distribution jar it
   * built with the system property {@value #DIST_JAR}, which applies unless the site file sets it.
   */
  public static Configuration load() {
    Configuration conf = new Configuration();
    siteFile().ifPresentOrElse(
        file -> conf.addResource(new org.apache.hadoop.fs.Path(file.toUri())),
        () -> conf.addResource(SITE_FILE));
    String jar = System.getProperty(DIST_JAR);
    if (jar != null && conf.getTrimmed(DIST_JAR, "").isEmpty()) {
      conf.set(DIST_JAR, jar);
    }
    return conf;
  }

  /** The {@code spool-site.xml} a client picks up without flags, if there is one. */
  public static Optional<Path> siteFile() {
    String dir = System.getenv(CONF_DIR_ENV);
    if (dir != null && !dir.isEmpty()) {
      Path file = Paths.get(dir, SITE_FILE);
      return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
    Path file = defaultConfDir().resolve(SITE_FILE);
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /** {@code ~/.spool/conf}: where the embedded cluster writes its client configuration by default. */
  public static Path defaultConfDir() {
    return Paths.get(System.getProperty("user.home"), ".spool", "conf");
  }

}
