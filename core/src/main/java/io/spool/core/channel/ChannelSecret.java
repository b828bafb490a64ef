package io.spool.core.channel;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;

/**
 * The per-application secret that authenticates executors to their master. The client makes it and puts it in
 * the master's YARN Credentials; the master passes it to its executors the same way. It is never on a command
 * line or in a plain environment variable.
 */
public final class ChannelSecret {

  /** The alias of the secret in YARN Credentials. */
  public static final Text ALIAS = new Text("spool.channel.secret");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String HMAC = "HmacSHA256";

  private ChannelSecret() {}

  public static byte[] generate() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /** The secret from credentials; throws if it is missing (the container was not launched by Spool). */
  public static byte[] from(Credentials credentials) {
    byte[] secret = credentials.getSecretKey(ALIAS);
    if (secret == null) {
      throw new IllegalStateException("no channel secret in this container's credentials (alias " + ALIAS + ")");
    }
    return secret;
  }

  public static String nonce() {
    byte[] nonce = new byte[24];
    RANDOM.nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** The proof an executor sends for a nonce. */
  public static String mac(byte[] secret, String nonce, String container) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret, HMAC));
      return Base64.getEncoder().encodeToString(mac.doFinal((nonce + "|" + container).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** Whether {@code proof} is the right answer to {@code nonce}, compared in constant time. */
  public static boolean verify(byte[] secret, String nonce, String container, String proof) {
    if (proof == null) {
      return false;
    }
    return MessageDigest.isEqual(mac(secret, nonce, container).getBytes(StandardCharsets.UTF_8),
        proof.getBytes(StandardCharsets.UTF_8));
  }
}
