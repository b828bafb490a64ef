package io.spool.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.core.blob.BlobStore;
import io.spool.core.config.Images;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.state.StaleFenceException;
import io.spool.core.state.StateStore;
import io.spool.runner.BuildMain;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.LocalResourceType;
import org.apache.hadoop.yarn.api.records.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build step of a new function (BUILDING → READY, STOPPED or BUILD_FAILED). The environment is content-addressed
 * ({@link EnvironmentHash}): if one was built before for the same image, requirements and index settings it is
 * reused and pip does not run. A build container always runs: it installs and compiles what is needed, if anything,
 * and then imports the entrypoint as an executor will, so that a function whose entrypoint cannot load never becomes
 * READY. Everything the build did is in the function's build log.
 */
final class EnvironmentBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentBuilder.class);

  private final Configuration conf;
  private final StateStore store;
  private final MasterLeadership leadership;
  private final BlobStore blobs;
  private final Allocator allocator;
  private final Supplier<FunctionRecord> function;
  private final Consumer<FunctionRecord> updated;
  private final FunctionMaster master;

  EnvironmentBuilder(FunctionMaster master, Configuration conf, StateStore store, MasterLeadership leadership,
      BlobStore blobs, Allocator allocator, Supplier<FunctionRecord> function, Consumer<FunctionRecord> updated) {
    this.master = master;
    this.conf = conf;
    this.store = store;
    this.leadership = leadership;
    this.blobs = blobs;
    this.allocator = allocator;
    this.function = function;
    this.updated = updated;
  }

  /** Builds the function's environment if it is BUILDING; returns when it has left BUILDING. */
  void build(String python) throws IOException, InterruptedException, StaleFenceException {
    FunctionRecord f = function.get();
    if (f.status() != FunctionStatus.BUILDING) {
      return;
    }
    String hash = f.requirements().isEmpty() ? null
        : EnvironmentHash.of(imageIdentity(f), python, f.requirements(), BuildMain.pipOptions(conf));
    boolean cached = hash != null && blobs.exists(BlobStore.environment(hash));
    String mode = !f.compiles() && (hash == null || cached) ? "check"
        : hash == null ? "none" : cached ? "reuse" : "build";
    LOG.info("building function {} ({}, environment {})", f.id(), mode, hash);
    int exit;
    try {
      exit = allocator.build(Resource.newInstance(conf.getInt(SpoolConfig.BUILD_MEMORY_MB,
          SpoolConfig.BUILD_MEMORY_MB_DEFAULT), 1), spec(f, python, hash, mode)).get();
    } catch (ExecutionException e) {
      finish(null, null, "the build container could not start: " + e.getCause().getMessage());
      return;
    }
    JsonNode result = blobs.read(BlobStore.buildResult(f.owner(), f.id()))
        .map(Json::tree).orElse(null);
    if (exit == 0 && result != null && result.path("exitCode").asInt(-1) == 0) {
      finish(hash, "check".equals(mode) ? null : BlobStore.builtBundle(f.owner(), f.id()), null);
    } else {
      String reason = result == null ? "the build container ended with exit status " + exit + " before it wrote a result"
          : result.path("reason").asText("the build failed with exit status " + result.path("exitCode").asInt());
      finish(null, null, reason + " (see the function's build log)");
    }
  }

  /** The image as far as it decides what pip installs: its name, kind and where it comes from. */
  private String imageIdentity(FunctionRecord f) {
    Images.Image image = Images.resolve(conf, f.image());
    return image.name() + " " + image.kind() + (image.location() == null ? "" : " " + image.location());
  }

  private LaunchSpec spec(FunctionRecord f, String python, String hash, String mode) throws IOException {
    Map<String, LocalResource> resources = FunctionMaster.commonResources(blobs);
    resources.put(BuildMain.BUNDLE_ZIP, FunctionMaster.resource(blobs.fileSystem(), blobs.resolve(f.bundle()),
        LocalResourceType.FILE));
    if ("reuse".equals(mode) || "check".equals(mode) && hash != null) {
      resources.put(FunctionMaster.ENVIRONMENT_DIR, FunctionMaster.sharedResource(blobs.fileSystem(),
          blobs.resolve(BlobStore.environment(hash)), LocalResourceType.ARCHIVE));
    }
    String command = FunctionMaster.javaCommand(conf, 256, BuildMain.class.getName() + " " + f.id() + " " + f.owner()
        + " " + python + " " + (hash == null ? "-" : hash) + " " + mode + " " + f.callable());
    Map<String, String> env = FunctionMaster.containerEnvironment(conf, python);
    master.addImage(f, blobs, resources, env);
    return new LaunchSpec(resources, env, command);
  }

  /** Leaves BUILDING: READY or STOPPED with the built environment, or BUILD_FAILED with the reason. */
  private void finish(String hash, String runBundle, String failure) throws StaleFenceException {
    FunctionRecord f = store.updateFunction(leadership.fence(), r -> {
      if (failure != null) {
        return r.transition(FunctionStatus.BUILD_FAILED, failure);
      }
      return r.environmentHash(hash).runBundle(runBundle)
          .transition(r.autoStart() ? FunctionStatus.READY : FunctionStatus.STOPPED, null);
    });
    updated.accept(f);
    LOG.info("function {} is {}{}", f.id(), f.status(), failure == null ? "" : ": " + failure);
  }
}
