/**
 * The embedded cluster: ZooKeeper, HDFS and YARN in one JVM, for {@code spool local} and the integration tests.
 * {@link io.spool.local.EmbeddedCluster} runs the cluster in this JVM; {@link io.spool.local.LocalClusterControl}
 * starts, inspects and stops it as a background daemon ({@link io.spool.local.LocalClusterDaemon}).
 */
package io.spool.local;
