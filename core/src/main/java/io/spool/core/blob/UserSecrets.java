package io.spool.core.blob;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;

/**
 * Each user's Spool secret: 32 random bytes in {@code users/<user>/zookeeper.secret} (0600, in the user's 0700
 * directory), made on the user's first connection. It authenticates the user's ZooKeeper sessions (digest scheme);
 * the client hands it to the masters of the user's functions in their YARN Credentials. It is as safe as the file
 * system's permissions: on a cluster with Kerberos only the user (and HDFS's superuser) can read it.
 */
public final class UserSecrets {

  /** The alias of the owner's secret in a master's YARN Credentials. */
  public static final Text ALIAS = new Text("spool.user.secret");

  private static final FsPermission OWNER_ONLY = new FsPermission((short) 0600);
  private static final int SECRET_BYTES = 32;
  private static final int READ_ATTEMPTS = 50;
  private static final SecureRandom RANDOM = new SecureRandom();

  private UserSecrets() {}

  /** Where a user's secret lives, relative to the Spool root. */
  public static String path(String user) {
    return BlobStore.userDir(user) + "/zookeeper.secret";
  }

  /** The user's secret, made now if the user has none. */
  public static byte[] readOrCreate(BlobStore blobs, String user) throws IOException {
    blobs.ensureUserDir(user);
    FileSystem fs = blobs.fileSystem();
    Path file = blobs.resolve(path(user));
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      byte[] existing = read(fs, file);
      if (existing != null && existing.length > 0) {
        return decode(existing, file);
      }
      if (existing == null) {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        try (FSDataOutputStream out = fs.create(file, OWNER_ONLY, false, 4096, fs.getDefaultReplication(file),
            fs.getDefaultBlockSize(file), null)) {
          out.write(Base64.getEncoder().encode(secret));
        } catch (FileAlreadyExistsException raced) {
          continue;
        }
        fs.setPermission(file, OWNER_ONLY);
        return secret;
      }
      sleep();
    }
    throw new IOException("the secret in " + file + " stayed empty: delete the file and connect again");
  }

  /** The owner's secret from a master's credentials, or null where the client sent none (ACLs are off). */
  public static byte[] from(Credentials credentials) {
    return credentials.getSecretKey(ALIAS);
  }

  private static byte[] read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return in.readAllBytes();
    } catch (FileNotFoundException none) {
      return null;
    }
  }

  private static byte[] decode(byte[] stored, Path file) throws IOException {
    try {
      return Base64.getDecoder().decode(new String(stored, StandardCharsets.US_ASCII).trim());
    } catch (IllegalArgumentException e) {
      throw new IOException("the secret in " + file + " is damaged: delete the file and connect again (the user's"
          + " existing functions then need an administrator to reset their ZooKeeper ACLs)", e);
    }
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the user's secret", e);
    }
  }
}
