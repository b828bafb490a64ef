package io.spool.local;

import java.util.Map;

/**
 * How the embedded cluster is secured: the Hadoop settings its HDFS and YARN daemons start with (Kerberos
 * principals and keytabs, token lifetimes), what ZooKeeper's server adds, what every client of the cluster must
 * know, and the user the daemons run as. {@link #NONE}: an unsecured cluster run by the user who starts it.
 */
public interface ClusterSecurity {

  /** No security: simple authentication, the daemons run as this process's user. */
  ClusterSecurity NONE = new ClusterSecurity() {
    @Override
    public Map<String, String> daemonSettings() {
      return Map.of();
    }

    @Override
    public Map<String, String> clientSettings() {
      return Map.of();
    }

    @Override
    public Map<String, String> zookeeperProperties() {
      return Map.of();
    }

    @Override
    public String serviceUser() {
      return System.getProperty("user.name");
    }
  };

  /** Settings of the HDFS and YARN daemons, on top of the embedded cluster's own. */
  Map<String, String> daemonSettings();

  /** Settings that every client (and every container) of the cluster needs, on top of the addresses. */
  Map<String, String> clientSettings();

  /** Properties of the embedded ZooKeeper server. */
  Map<String, String> zookeeperProperties();

  /** The short name of the user the daemons act as: HDFS's superuser, and the proxy user the Spool server is. */
  String serviceUser();
}
