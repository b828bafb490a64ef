package io.spool.core.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function as ZooKeeper holds it ({@code <root>/functions/<id>}): what the user defined, plus the status and
 * bookkeeping that Spool keeps. Dates are epoch milliseconds in the JSON.
 */
public final class FunctionRecord {

  private String id;
  private String name;
  /** The entrypoint as the user gave it, e.g. {@code examples/hello/hello.py:hello}. */
  private String entrypoint;
  /** What the worker imports and calls: {@code module:function}. */
  private String callable;
  private String image;
  private double cpus;
  private int memory;
  private int maximumConcurrency;
  private int timeout;
  private int retryCount;
  /** How its jobs get their Python process: {@code fresh} or {@code reused}; absent in older records (fresh). */
  private String jobProcess;
  /** With {@code reused}: the most jobs one process runs before it is replaced; 0 for no limit. */
  private int maxJobsPerProcess;
  /** The YARN queue of its master and executors; absent in records older than the attribute (the configured one). */
  private String queue;
  /** The YARN application priority of its master. */
  private int priority;
  /** The YARN node label expression of its master and executors; absent or empty for none. */
  private String nodeLabel;
  private Map<String, String> environment = new LinkedHashMap<>();
  private boolean enabled = true;
  private boolean autoStart = true;
  private FunctionStatus status;
  /** Why the function is in its status, when that needs saying (e.g. a failed build). */
  private String statusReason;
  private String owner;
  private String namespace;
  /** The bundle's path on the file system, relative to Spool's root there. */
  private String bundle;
  /** pip requirement lines, validated at save. */
  private List<String> requirements = new ArrayList<>();
  /** Whether the bundle holds Cython modules that the build compiles. */
  private boolean compiles;
  /** The built environment's content hash (its archive is {@code envs/<hash>.tgz}); absent if none is needed. */
  private String environmentHash;
  /** The bundle the executors run (the built one when the build compiled modules), relative to the root. */
  private String runBundle;
  private long creationDate;
  private long modifiedDate;

  public FunctionRecord() {}

  public String id() { return id; }
  public FunctionRecord id(String id) { this.id = id; return this; }

  public String name() { return name; }
  public FunctionRecord name(String name) { this.name = name; return this; }

  public String entrypoint() { return entrypoint; }
  public FunctionRecord entrypoint(String entrypoint) { this.entrypoint = entrypoint; return this; }

  public String callable() { return callable; }
  public FunctionRecord callable(String callable) { this.callable = callable; return this; }

  public String image() { return image; }
  public FunctionRecord image(String image) { this.image = image; return this; }

  public double cpus() { return cpus; }
  public FunctionRecord cpus(double cpus) { this.cpus = cpus; return this; }

  public int memory() { return memory; }
  public FunctionRecord memory(int memory) { this.memory = memory; return this; }

  public int maximumConcurrency() { return maximumConcurrency; }
  public FunctionRecord maximumConcurrency(int n) { this.maximumConcurrency = n; return this; }

  public int timeout() { return timeout; }
  public FunctionRecord timeout(int timeout) { this.timeout = timeout; return this; }

  public int retryCount() { return retryCount; }
  public FunctionRecord retryCount(int retryCount) { this.retryCount = retryCount; return this; }

  public JobProcess jobProcess() { return jobProcess == null ? JobProcess.FRESH : JobProcess.parse(jobProcess); }
  public FunctionRecord jobProcess(JobProcess mode) { this.jobProcess = mode.wire(); return this; }

  public int maxJobsPerProcess() { return maxJobsPerProcess; }
  public FunctionRecord maxJobsPerProcess(int n) { this.maxJobsPerProcess = n; return this; }

  public String queue() { return queue; }
  public FunctionRecord queue(String queue) { this.queue = queue; return this; }

  public int priority() { return priority; }
  public FunctionRecord priority(int priority) { this.priority = priority; return this; }

  public String nodeLabel() { return nodeLabel; }
  public FunctionRecord nodeLabel(String nodeLabel) { this.nodeLabel = nodeLabel; return this; }

  public Map<String, String> environment() { return environment; }
  public FunctionRecord environment(Map<String, String> env) { this.environment = new LinkedHashMap<>(env); return this; }

  public boolean enabled() { return enabled; }
  public FunctionRecord enabled(boolean enabled) { this.enabled = enabled; return this; }

  public boolean autoStart() { return autoStart; }
  public FunctionRecord autoStart(boolean autoStart) { this.autoStart = autoStart; return this; }

  public FunctionStatus status() { return status; }
  public FunctionRecord status(FunctionStatus status) { this.status = status; return this; }

  public String statusReason() { return statusReason; }
  public FunctionRecord statusReason(String reason) { this.statusReason = reason; return this; }

  public String owner() { return owner; }
  public FunctionRecord owner(String owner) { this.owner = owner; return this; }

  public String namespace() { return namespace; }
  public FunctionRecord namespace(String namespace) { this.namespace = namespace; return this; }

  public String bundle() { return bundle; }
  public FunctionRecord bundle(String bundle) { this.bundle = bundle; return this; }

  public List<String> requirements() { return requirements; }
  public FunctionRecord requirements(List<String> lines) { this.requirements = new ArrayList<>(lines); return this; }

  public boolean compiles() { return compiles; }
  public FunctionRecord compiles(boolean compiles) { this.compiles = compiles; return this; }

  public String environmentHash() { return environmentHash; }
  public FunctionRecord environmentHash(String hash) { this.environmentHash = hash; return this; }

  /** The bundle executors run: the built one if there is one, else the shipped one. */
  public String runBundle() { return runBundle != null ? runBundle : bundle; }
  public FunctionRecord runBundle(String path) { this.runBundle = path; return this; }

  public Instant creationDate() { return Instant.ofEpochMilli(creationDate); }
  public FunctionRecord creationDate(Instant t) { this.creationDate = t.toEpochMilli(); return this; }

  public Instant modifiedDate() { return Instant.ofEpochMilli(modifiedDate); }
  public FunctionRecord modifiedDate(Instant t) { this.modifiedDate = t.toEpochMilli(); return this; }

  /** Moves to {@code next} if the status table allows it; throws {@link IllegalTransitionException} otherwise. */
  public FunctionRecord transition(FunctionStatus next, String reason) {
    FunctionStatus.TRANSITIONS.check("function " + id, status, next);
    this.status = next;
    this.statusReason = reason;
    return this;
  }

  @Override
  public String toString() {
    return "Function " + id + " \"" + name + "\" " + status;
  }
}
