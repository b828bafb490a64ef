package io.spool.server;

import java.io.IOException;
import java.util.Set;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import org.apache.hadoop.security.authentication.server.AuthenticationFilter;

/**
 * On a cluster with Kerberos, authenticates every request with SPNEGO (Hadoop's {@link AuthenticationFilter} with
 * its Kerberos handler, configured by the filter's init parameters), so that {@code getRemoteUser()} names who sent
 * it. Requests from the ResourceManager's web proxy that carry its {@code proxy-user} cookie pass as they are: the
 * proxy authenticated its user itself, and {@link Identity} trusts that cookie only from the proxy's addresses.
 */
final class SpnegoFilter implements Filter {

  private final AuthenticationFilter spnego = new AuthenticationFilter();
  private final Set<String> proxyAddresses;

  SpnegoFilter(Set<String> proxyAddresses) {
    this.proxyAddresses = Set.copyOf(proxyAddresses);
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    spnego.init(config);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (proxyAddresses.contains(request.getRemoteAddr()) && hasProxyUser(request)) {
      chain.doFilter(request, response);
    } else {
      spnego.doFilter(request, response, chain);
    }
  }

  private static boolean hasProxyUser(ServletRequest request) {
    Cookie[] cookies = request instanceof HttpServletRequest http ? http.getCookies() : null;
    if (cookies != null) {
      for (Cookie c : cookies) {
        if (Identity.PROXY_USER_COOKIE.equals(c.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void destroy() {
    spnego.destroy();
  }
}
