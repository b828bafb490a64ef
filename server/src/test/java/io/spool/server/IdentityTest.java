package io.spool.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class IdentityTest {

  /** A request with query parameters, cookies and a remote address: all that identity reads. */
  private static HttpServletRequest request(Map<String, String> params, String remote, Cookie... cookies) {
    return authenticated(params, remote, null, cookies);
  }

  /** As {@link #request(Map, String, Cookie...)}, authenticated (by SPNEGO) as {@code user} if not null. */
  private static HttpServletRequest authenticated(Map<String, String> params, String remote, String user,
      Cookie... cookies) {
    return (HttpServletRequest) Proxy.newProxyInstance(IdentityTest.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getParameter" -> params.get((String) args[0]);
          case "getRemoteAddr" -> remote;
          case "getRemoteUser" -> user;
          case "getCookies" -> cookies.length == 0 ? null : cookies;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void theNamedUserWinsThenTheProxysUserFromTheProxyOnlyThenTheDefault() {
    Identity identity = new Identity("spool", Set.of("10.0.0.5"), false);
    assertEquals("alice", identity.user(request(Map.of("user.name", "alice"), "10.0.0.9")));
    assertEquals("bob", identity.user(request(Map.of(), "10.0.0.5", new Cookie("proxy-user", "bob"))));
    assertEquals("spool", identity.user(request(Map.of(), "10.0.0.9", new Cookie("proxy-user", "bob"))));
    assertEquals("spool", identity.user(request(Map.of(), "10.0.0.5", new Cookie("proxy-user", "dr.who"))));
  }

  @Test
  void noUserIs401AndAMalformedName400() {
    Identity identity = new Identity("", Set.of(), false);
    assertEquals(401, assertThrows(ApiException.class, () -> identity.user(request(Map.of(), "10.0.0.9"))).status());
    ApiException bad = assertThrows(ApiException.class,
        () -> identity.user(request(Map.of("user.name", "../root"), "10.0.0.9")));
    assertEquals(400, bad.status());
    assertEquals("user.name", bad.field());
  }

  @Test
  void withKerberosOnlyTheAuthenticatedUserOrTheProxysCountNeverANamedOrDefaultOne() {
    Identity identity = new Identity("spool", Set.of("10.0.0.5"), true);
    assertEquals("alice", identity.user(authenticated(Map.of("user.name", "mallory"), "10.0.0.9", "alice")));
    assertEquals("bob", identity.user(authenticated(Map.of(), "10.0.0.5", null, new Cookie("proxy-user", "bob"))));
    ApiException named = assertThrows(ApiException.class,
        () -> identity.user(authenticated(Map.of("user.name", "alice"), "10.0.0.9", null)));
    assertEquals(401, named.status());
    assertTrue(named.getMessage().contains("SPNEGO"), named.getMessage());
    assertEquals(401, assertThrows(ApiException.class,
        () -> identity.user(authenticated(Map.of(), "10.0.0.9", null, new Cookie("proxy-user", "bob")))).status(),
        "the proxy's cookie counts only from the proxy");
  }
}
