package io.spool.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.hadoop.security.Credentials;
import org.junit.jupiter.api.Test;

class ChannelTest {

  @Test
  void theRightSecretProvesItselfAndNothingElseDoes() {
    byte[] secret = ChannelSecret.generate();
    String nonce = ChannelSecret.nonce();
    String proof = ChannelSecret.mac(secret, nonce, "container_1");
    assertTrue(ChannelSecret.verify(secret, nonce, "container_1", proof));
    assertFalse(ChannelSecret.verify(ChannelSecret.generate(), nonce, "container_1", proof), "another secret");
    assertFalse(ChannelSecret.verify(secret, ChannelSecret.nonce(), "container_1", proof), "another nonce");
    assertFalse(ChannelSecret.verify(secret, nonce, "container_2", proof), "another container");
    assertFalse(ChannelSecret.verify(secret, nonce, "container_1", null), "no proof");
  }

  @Test
  void secretTravelsInCredentialsAndItsAbsenceIsAClearError() {
    Credentials credentials = new Credentials();
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> ChannelSecret.from(credentials));
    assertTrue(missing.getMessage().contains("no channel secret"), missing.getMessage());
    byte[] secret = ChannelSecret.generate();
    credentials.addSecretKey(ChannelSecret.ALIAS, secret);
    assertEquals(secret.length, ChannelSecret.from(credentials).length);
  }

  @Test
  void framesRoundTrip() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Frames.write(new DataOutputStream(bytes), Messages.of(Messages.JOBS).put("job", "abcdefghij-1"));
    ObjectNode read = Frames.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(Messages.JOBS, Messages.type(read));
    assertEquals("abcdefghij-1", read.get("job").asText());
  }

  @Test
  void oversizedOrTypelessFramesAreRefused() throws IOException {
    ByteArrayOutputStream huge = new ByteArrayOutputStream();
    new DataOutputStream(huge).writeInt(Frames.MAX_FRAME_BYTES + 1);
    IOException tooBig = assertThrows(IOException.class,
        () -> Frames.read(new DataInputStream(new ByteArrayInputStream(huge.toByteArray()))));
    assertTrue(tooBig.getMessage().contains("out of bounds"), tooBig.getMessage());
    ByteArrayOutputStream typeless = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(typeless);
    out.writeInt(2);
    out.writeBytes("{}");
    assertThrows(IOException.class, () -> Frames.read(new DataInputStream(new ByteArrayInputStream(typeless.toByteArray()))));
  }

  @Test
  void aHandshakeFrameLargerThanItsBoundIsRefusedBeforeItsBytesAreRead() throws IOException {
    ByteArrayOutputStream big = new ByteArrayOutputStream();
    new DataOutputStream(big).writeInt(Frames.MAX_HANDSHAKE_FRAME_BYTES + 1);
    IOException refused = assertThrows(IOException.class, () -> Frames.read(
        new DataInputStream(new ByteArrayInputStream(big.toByteArray())), Frames.MAX_HANDSHAKE_FRAME_BYTES));
    assertTrue(refused.getMessage().contains("at most " + Frames.MAX_HANDSHAKE_FRAME_BYTES), refused.getMessage());
  }
}
