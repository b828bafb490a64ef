package io.spool.core.state;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * Whom a state store acts as in ZooKeeper: a user and their Spool secret, presented with ZooKeeper's {@code digest}
 * scheme. Nodes the store creates are then writable and readable only by that identity (and readable by the
 * configured administrators).
 */
public final class StateIdentity {

  private final String user;
  private final String password;

  /**
   * @param user the user's short name
   * @param secret the user's Spool secret (see {@link io.spool.core.blob.UserSecrets})
   */
  public StateIdentity(String user, byte[] secret) {
    if (user == null || user.isEmpty() || user.contains(":") || user.contains("/")) {
      throw new IllegalArgumentException("'" + user + "' is not a user name ZooKeeper can authenticate");
    }
    Objects.requireNonNull(secret, "secret");
    this.user = user;
    this.password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  public String user() {
    return user;
  }

  /** What the ZooKeeper client presents: {@code user:password} for the digest scheme. */
  byte[] authorization() {
    return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
  }

  /** The id that ACLs name this identity by: {@code digest:user:base64(sha1(user:password))}. */
  public Id aclId() {
    try {
      return new Id("digest", DigestAuthenticationProvider.generateDigest(user + ":" + password));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "digest:" + user;
  }
}
