package io.spool.server;

import io.spool.core.config.SpoolConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a request acts for. On a cluster without Kerberos: the {@code user.name} query parameter (Hadoop's own
 * convention), else the {@code proxy-user} cookie that the ResourceManager's web proxy sets, trusted only from the
 * proxy's own addresses (as Hadoop's {@code AmIpFilter} does), else {@code spool.server.default-user}. On a cluster
 * with Kerberos only who authenticated counts: the user of the request's SPNEGO login ({@link SpnegoFilter}), else
 * the proxy's cookie from the proxy's addresses; a named user or a default one never does.
 */
final class Identity {

  private static final Logger LOG = LoggerFactory.getLogger(Identity.class);

  /** The query parameter naming the user. */
  static final String USER_PARAMETER = "user.name";
  /** The cookie the ResourceManager's web proxy sets to the user it serves. */
  static final String PROXY_USER_COOKIE = "proxy-user";
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}");

  private final String defaultUser;
  private final Set<String> proxyAddresses;
  private final boolean kerberos;

  Identity(String defaultUser, Set<String> proxyAddresses, boolean kerberos) {
    this.defaultUser = defaultUser == null || defaultUser.isBlank() ? null : defaultUser.trim();
    this.proxyAddresses = Set.copyOf(proxyAddresses);
    this.kerberos = kerberos;
  }

  /** The addresses of the ResourceManager's web proxy, whose cookie names its user. */
  Set<String> proxyAddresses() {
    return proxyAddresses;
  }

  /** Whether requests must authenticate with Kerberos (SPNEGO). */
  boolean kerberos() {
    return kerberos;
  }

  static Identity from(Configuration conf) {
    Set<String> hosts = new HashSet<>(conf.getTrimmedStringCollection(SpoolConfig.SERVER_PROXY_HOSTS));
    if (hosts.isEmpty()) {
      String proxy = conf.getTrimmed(YarnConfiguration.PROXY_ADDRESS, "");
      if (proxy.isEmpty()) {
        proxy = conf.getTrimmed(YarnConfiguration.RM_WEBAPP_ADDRESS, YarnConfiguration.DEFAULT_RM_WEBAPP_ADDRESS);
      }
      hosts.add(NetUtils.createSocketAddr(proxy).getHostString());
    }
    Set<String> addresses = new HashSet<>();
    for (String host : hosts) {
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          addresses.add(a.getHostAddress());
        }
      } catch (UnknownHostException e) {
        LOG.warn("Web proxy host {} does not resolve; its proxy-user cookie will not be trusted", host);
      }
    }
    return new Identity(conf.getTrimmed(SpoolConfig.SERVER_DEFAULT_USER, SpoolConfig.SERVER_DEFAULT_USER_DEFAULT),
        addresses, UserGroupInformation.isSecurityEnabled());
  }

  /**
   * The user {@code request} acts for.
   *
   * @throws ApiException 400 for a malformed name, 401 if the request names no user and there is no default
   */
  String user(HttpServletRequest request) {
    if (kerberos && request.getRemoteUser() != null) {
      return checked(request.getRemoteUser());
    }
    String named = kerberos ? null : request.getParameter(USER_PARAMETER);
    if (named != null && !named.isEmpty()) {
      return checked(named);
    }
    if (proxyAddresses.contains(request.getRemoteAddr()) && request.getCookies() != null) {
      for (Cookie c : request.getCookies()) {
        if (PROXY_USER_COOKIE.equals(c.getName()) && c.getValue() != null && !c.getValue().isEmpty()
            && !"dr.who".equals(c.getValue())) {
          return checked(c.getValue());
        }
      }
    }
    if (kerberos) {
      throw new ApiException(401, "this server authenticates with Kerberos: send the request with SPNEGO"
          + " (e.g. curl --negotiate -u : URL, after kinit)");
    }
    if (defaultUser != null) {
      return defaultUser;
    }
    throw new ApiException(401, "name the user this request acts for with ?" + USER_PARAMETER
        + "=NAME (or set spool.server.default-user)");
  }

  private static String checked(String name) {
    if (!USER_NAME.matcher(name).matches()) {
      throw ApiException.badRequest(USER_PARAMETER, "user name '" + name + "' is not valid: use letters, digits, "
          + "'_', '.', '@' and '-' (at most 64)");
    }
    return name;
  }
}
