package io.spool.secure;

import io.spool.core.config.SpoolConfig;
import io.spool.local.ClusterSecurity;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.hadoop.minikdc.MiniKdc;

/**
 * A Kerberos realm for the embedded cluster (Hadoop's MiniKdc) and the settings that secure the cluster with it.
 * One service principal, {@code hadoop/localhost}, serves HDFS and YARN: MiniYARNCluster's daemons never log in
 * from their keytabs and present the JVM's login user, which the NameNode's login makes that principal. ZooKeeper
 * authenticates clients with SASL (Kerberos) as {@code zookeeper/localhost}; users get principals of their own.
 */
final class Kerberos implements ClusterSecurity, AutoCloseable {

  static final String SERVICE = "hadoop";
  private static final String HOST = "localhost";
  /** The JAAS section of ZooKeeper's server. */
  private static final String ZOOKEEPER_SERVER_SECTION = "Server";

  private final MiniKdc kdc;
  private final Path keytabs;
  private final Map<String, String> lifetimes;
  private final Map<String, AppConfigurationEntry[]> jaas = new HashMap<>();

  /**
   * @param tokenLifetimeMs the maximum lifetime of HDFS and YARN delegation tokens (renewed every half of it), or 0
   *     for Hadoop's defaults
   */
  Kerberos(Path workDir, long tokenLifetimeMs) throws Exception {
    Properties conf = MiniKdc.createConf();
    Files.createDirectories(workDir);
    this.kdc = new MiniKdc(conf, workDir.resolve("kdc").toFile());
    this.kdc.start();
    this.keytabs = Files.createDirectories(workDir.resolve("keytabs"));
    kdc.createPrincipal(keytab(SERVICE).toFile(), SERVICE + "/" + HOST);
    kdc.createPrincipal(keytab("HTTP").toFile(), "HTTP/" + HOST);
    kdc.createPrincipal(keytab("zookeeper").toFile(), "zookeeper/" + HOST);
    this.lifetimes = new LinkedHashMap<>();
    if (tokenLifetimeMs > 0) {
      for (String prefix : new String[] {"dfs.namenode.delegation", "yarn.resourcemanager.delegation"}) {
        lifetimes.put(prefix + ".token.max-lifetime", Long.toString(tokenLifetimeMs));
        lifetimes.put(prefix + ".token.renew-interval", Long.toString(tokenLifetimeMs / 2));
        lifetimes.put(prefix + ".key.update-interval", Long.toString(tokenLifetimeMs / 2));
      }
    }
    jaas.put(ZOOKEEPER_SERVER_SECTION, login("zookeeper/" + HOST, keytab("zookeeper"), false));
    javax.security.auth.login.Configuration.setConfiguration(new javax.security.auth.login.Configuration() {
      @Override
      public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        return jaas.get(name);
      }
    });
    System.setProperty("zookeeper.authProvider.1", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
    System.setProperty("zookeeper.kerberos.removeHostFromPrincipal", "true");
    System.setProperty("zookeeper.kerberos.removeRealmFromPrincipal", "true");
  }

  /** Makes a user principal with a keytab of its own; returns the keytab. */
  Path addUser(String user) throws Exception {
    Path keytab = keytab(user);
    kdc.createPrincipal(keytab.toFile(), user);
    return keytab;
  }

  /**
   * Adds a JAAS section with which a ZooKeeper client logs in as {@code user} (see ZooKeeper's
   * {@code zookeeper.sasl.clientconfig}); returns its name.
   */
  String zookeeperLogin(String user) {
    String section = "ZooKeeperClient-" + user;
    jaas.put(section, login(principal(user), keytab(user), true));
    return section;
  }

  String principal(String user) {
    return user + "@" + kdc.getRealm();
  }

  String servicePrincipal(String service) {
    return service + "/" + HOST + "@" + kdc.getRealm();
  }

  Path keytab(String user) {
    return keytabs.resolve(user + ".keytab");
  }

  File krb5Conf() {
    return kdc.getKrb5conf();
  }

  @Override
  public Map<String, String> daemonSettings() {
    String service = servicePrincipal(SERVICE);
    String http = servicePrincipal("HTTP");
    Map<String, String> s = new LinkedHashMap<>(clientSettings());
    s.put("hadoop.security.authorization", "true");
    s.put("dfs.namenode.keytab.file", keytab(SERVICE).toString());
    s.put("dfs.datanode.kerberos.principal", service);
    s.put("dfs.datanode.keytab.file", keytab(SERVICE).toString());
    s.put("dfs.web.authentication.kerberos.principal", http);
    s.put("dfs.web.authentication.kerberos.keytab", keytab("HTTP").toString());
    s.put("dfs.block.access.token.enable", "true");
    // the DataNode on unprivileged ports without SASL data transfer (no TLS keystores needed)
    s.put("ignore.secure.ports.for.testing", "true");
    s.put("yarn.resourcemanager.keytab", keytab(SERVICE).toString());
    s.put("yarn.nodemanager.principal", service);
    s.put("yarn.nodemanager.keytab", keytab(SERVICE).toString());
    s.put("yarn.resourcemanager.webapp.spnego-principal", http);
    s.put("yarn.resourcemanager.webapp.spnego-keytab-file", keytab("HTTP").toString());
    s.put("yarn.nodemanager.webapp.spnego-principal", http);
    s.put("yarn.nodemanager.webapp.spnego-keytab-file", keytab("HTTP").toString());
    s.putAll(lifetimes);
    return s;
  }

  @Override
  public Map<String, String> clientSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("hadoop.security.authentication", "kerberos");
    s.put("dfs.namenode.kerberos.principal", servicePrincipal(SERVICE));
    s.put("yarn.resourcemanager.principal", servicePrincipal(SERVICE));
    s.put(SpoolConfig.SERVER_KERBEROS_PRINCIPAL, servicePrincipal("HTTP"));
    s.put(SpoolConfig.SERVER_KERBEROS_KEYTAB, keytab("HTTP").toString());
    // containers find the realm's KDC through this file (a real cluster's nodes have /etc/krb5.conf)
    s.put(SpoolConfig.CONTAINER_JAVA_OPTIONS, "-Djava.security.krb5.conf=" + krb5Conf().getAbsolutePath());
    return s;
  }

  @Override
  public Map<String, String> zookeeperProperties() {
    return Map.of("authProvider.1", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
  }

  @Override
  public String serviceUser() {
    return SERVICE;
  }

  private static AppConfigurationEntry[] login(String principal, Path keytab, boolean initiator) {
    Map<String, String> options = new HashMap<>();
    options.put("useKeyTab", "true");
    options.put("keyTab", keytab.toString());
    options.put("principal", principal);
    options.put("storeKey", "true");
    options.put("useTicketCache", "false");
    options.put("doNotPrompt", "true");
    options.put("refreshKrb5Config", "true");
    options.put("isInitiator", Boolean.toString(initiator));
    return new AppConfigurationEntry[] {new AppConfigurationEntry("com.sun.security.auth.module.Krb5LoginModule",
        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
  }

  @Override
  public void close() {
    kdc.stop();
  }
}
