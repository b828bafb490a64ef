package io.spool.appmaster;

import io.spool.core.channel.ChannelSecret;
import io.spool.runner.ExecutorMain;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.LocalResourceType;

/** How a client launches a function's master: its container's resources, environment, command and credentials. */
public final class MasterLaunch {

  private MasterLaunch() {}

  /**
   * The launch context of a function master.
   *
   * @param distJar the distribution jar on the cluster's file system
   * @param jobConf the client's configuration, written on the cluster's file system
   * @param heapMb the master JVM's heap
   * @param given what else the master gets in its YARN Credentials: the owner's Spool secret (with which it
   *     authenticates to ZooKeeper) and, where the cluster has Kerberos, the owner's delegation tokens
   * @param keytab the owner's keytab on the cluster's file system, with which the master obtains fresh delegation
   *     tokens; null if the client has none to give
   */
  public static ContainerLaunchContext context(Configuration conf, FileSystem fs, Path distJar, Path jobConf,
      String functionId, int heapMb, Credentials given, Path keytab) throws IOException {
    Map<String, LocalResource> resources = new java.util.HashMap<>(Map.of(
        FunctionMaster.DIST_JAR_NAME, FunctionMaster.resource(fs, distJar, LocalResourceType.FILE),
        ExecutorMain.JOB_CONF, FunctionMaster.resource(fs, jobConf, LocalResourceType.FILE)));
    if (keytab != null) {
      resources.put(FunctionMaster.KEYTAB_NAME, FunctionMaster.resource(fs, keytab, LocalResourceType.FILE));
    }
    Map<String, String> env = FunctionMaster.containerEnvironment(conf, null);
    env.put(FunctionMaster.ENV_DIST_JAR, fs.makeQualified(distJar).toString());
    env.put(FunctionMaster.ENV_JOB_CONF, fs.makeQualified(jobConf).toString());
    String command = FunctionMaster.javaCommand(conf, heapMb, FunctionMaster.class.getName() + " " + functionId);
    Credentials credentials = new Credentials(given);
    credentials.addSecretKey(ChannelSecret.ALIAS, ChannelSecret.generate());
    DataOutputBuffer tokens = new DataOutputBuffer();
    credentials.writeTokenStorageToStream(tokens);
    return ContainerLaunchContext.newInstance(resources, env, List.of(command), null,
        ByteBuffer.wrap(tokens.getData(), 0, tokens.getLength()), null);
  }
}
