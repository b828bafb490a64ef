package io.spool.client.internal;

import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.security.AccessController;
import java.security.PrivilegedAction;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * A client's Kerberos login on a cluster with Kerberos: the user's ticket (from {@code kinit}'s cache), or a login
 * from the keytab that {@code spool.kerberos.principal} and {@code spool.kerberos.keytab} name; nothing on a cluster
 * without Kerberos.
 */
public final class KerberosLogin {

  private KerberosLogin() {}

  /**
   * Makes sure the current user can authenticate to the cluster, logging in from the configured keytab if needed.
   *
   * @throws IllegalStateException naming what to do if the user has neither a ticket nor delegation tokens
   */
  public static void ensure(Configuration conf) throws IOException {
    if ("kerberos".equalsIgnoreCase(conf.getTrimmed(CommonConfigurationKeysPublic.HADOOP_SECURITY_AUTHENTICATION))
        && !UserGroupInformation.isSecurityEnabled()) {
      UserGroupInformation.setConfiguration(conf);
    }
    if (!UserGroupInformation.isSecurityEnabled()) {
      return;
    }
    UserGroupInformation current = UserGroupInformation.getCurrentUser();
    UserGroupInformation real = current.getRealUser() != null ? current.getRealUser() : current;
    if (hasTicket(real) || !current.getCredentials().getAllTokens().isEmpty()) {
      return;
    }
    String principal = conf.getTrimmed(SpoolConfig.KERBEROS_PRINCIPAL, SpoolConfig.KERBEROS_PRINCIPAL_DEFAULT);
    String keytab = conf.getTrimmed(SpoolConfig.KERBEROS_KEYTAB, SpoolConfig.KERBEROS_KEYTAB_DEFAULT);
    if (!principal.isEmpty() && !keytab.isEmpty()) {
      UserGroupInformation.loginUserFromKeytab(principal, keytab);
      return;
    }
    throw new IllegalStateException("the cluster uses Kerberos and " + current.getUserName() + " has no Kerberos"
        + " ticket: run kinit, or set " + SpoolConfig.KERBEROS_PRINCIPAL + " and " + SpoolConfig.KERBEROS_KEYTAB);
  }

  @SuppressWarnings("removal") // Subject.getSubject: how a UGI's own Kerberos ticket is seen from outside
  private static boolean hasTicket(UserGroupInformation ugi) {
    if (ugi.isFromKeytab()) {
      return true;
    }
    Subject subject = ugi.doAs((PrivilegedAction<Subject>) () -> Subject.getSubject(AccessController.getContext()));
    return subject != null && !subject.getPrivateCredentials(KerberosTicket.class).isEmpty();
  }
}
