package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The executor's channel against a local socket that plays the master. */
@Timeout(60)
class MasterChannelTest {

  private static final String CONTAINER = "container_1_0001_01_000002";

  private final byte[] secret = ChannelSecret.generate();
  private final ExecutorService master = Executors.newSingleThreadExecutor();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  /** Tells the playing master what to do next, one step at a time. */
  private final SynchronousQueue<String> steps = new SynchronousQueue<>();

  @AfterEach
  void stopMaster() {
    master.shutdownNow();
    executor.shutdownNow();
  }

  /** A master that authenticates one executor, then sends what the steps say. */
  private Future<Void> playMaster(ServerSocket server) {
    return master.submit(() -> {
      try (Socket socket = server.accept()) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        String nonce = ChannelSecret.nonce();
        Frames.write(out, Messages.of(Messages.CHALLENGE).put("nonce", nonce));
        ObjectNode hello = Frames.read(in);
        assertEquals(CONTAINER, hello.path("container").asText());
        assertTrue(ChannelSecret.verify(secret, nonce, CONTAINER, hello.path("mac").asText()), "a valid proof");
        Frames.write(out, Messages.of(Messages.WELCOME).put("callable", "jobs:echo"));
        for (String step = steps.take(); !step.equals("close"); step = steps.take()) {
          switch (step) {
            case "answer next with cancel then job" -> {
              assertEquals(Messages.NEXT, Messages.type(Frames.read(in)));
              Frames.write(out, Messages.of(Messages.CANCEL).put("job", "abcdefghij-7"));
              Frames.write(out, Messages.of(Messages.JOB).put("job", "abcdefghij-8").put("attempt", 1));
            }
            case "answer next with stop" -> {
              assertEquals(Messages.NEXT, Messages.type(Frames.read(in)));
              Frames.write(out, Messages.of(Messages.STOP).put("reason", "no more work"));
            }
            case "cancel" -> Frames.write(out, Messages.of(Messages.CANCEL).put("job", "abcdefghij-8"));
            default -> throw new IllegalArgumentException(step);
          }
        }
      }
      return null;
    });
  }

  @Test
  void cancelsGoToTheListenerAndAnswersToExchange() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> played = playMaster(server);
      BlockingQueue<String> cancels = new LinkedBlockingQueue<>();
      BlockingQueue<IOException> closes = new LinkedBlockingQueue<>();
      try (MasterChannel channel = MasterChannel.connect(server.getInetAddress().getHostAddress(),
          server.getLocalPort(), CONTAINER, secret)) {
        assertEquals("jobs:echo", channel.welcome().path("callable").asText());
        channel.onCancel(cancels::add);
        channel.onClose(closes::add);

        steps.put("answer next with cancel then job");
        ObjectNode answer = channel.exchange(Messages.of(Messages.NEXT));
        assertEquals(Messages.JOB, Messages.type(answer), answer.toString());
        assertEquals("abcdefghij-8", answer.path("job").asText());
        assertEquals("abcdefghij-7", cancels.poll(), "the cancel that preceded the job was delivered before it");

        steps.put("cancel"); // while the executor waits for no answer
        assertEquals("abcdefghij-8", cancels.poll(10, TimeUnit.SECONDS));

        steps.put("close");
        played.get(10, TimeUnit.SECONDS);
        IOException closed = closes.poll(10, TimeUnit.SECONDS);
        assertNotNull(closed, "the close listener heard that the master has gone");
        assertTrue(closed.getMessage().startsWith("the channel to the master closed"), closed.getMessage());
        IOException thrown = assertThrows(IOException.class, () -> channel.exchange(Messages.of(Messages.NEXT)));
        assertTrue(thrown.getMessage().startsWith("the channel to the master closed"), thrown.getMessage());
        assertThrows(IOException.class, () -> channel.exchange(Messages.of(Messages.NEXT)), "and stays closed");
      }
      assertTrue(cancels.isEmpty(), cancels.toString());
    }
  }

  @Test
  void anExchangeWaitingForAnAnswerFailsWhenTheMasterGoes() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> played = playMaster(server);
      try (MasterChannel channel = MasterChannel.connect(server.getInetAddress().getHostAddress(),
          server.getLocalPort(), CONTAINER, secret)) {
        Future<ObjectNode> waiting = executor.submit(() -> channel.exchange(Messages.of(Messages.NEXT)));
        steps.put("close");
        played.get(10, TimeUnit.SECONDS);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof IOException, String.valueOf(failed.getCause()));
      }
    }
  }

  @Test
  void theEndOfTheChannelAfterStopIsNoLoss() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> played = playMaster(server);
      BlockingQueue<IOException> closes = new LinkedBlockingQueue<>();
      try (MasterChannel channel = MasterChannel.connect(server.getInetAddress().getHostAddress(),
          server.getLocalPort(), CONTAINER, secret)) {
        channel.onClose(closes::add);
        steps.put("answer next with stop");
        assertEquals(Messages.STOP, Messages.type(channel.exchange(Messages.of(Messages.NEXT))));
        steps.put("close");
        played.get(10, TimeUnit.SECONDS);
        // exchange fails only once the reader has seen the end, after it would have told the listener
        assertThrows(IOException.class, () -> channel.exchange(Messages.of(Messages.NEXT)));
        assertNull(closes.poll(), "a master that said stop has not been lost");
      }
    }
  }

  @Test
  void aMasterThatRefusesIsAnError() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> played = master.submit(() -> {
        try (Socket socket = server.accept()) {
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
          Frames.write(out, Messages.of(Messages.CHALLENGE).put("nonce", ChannelSecret.nonce()));
          Frames.read(new DataInputStream(new BufferedInputStream(socket.getInputStream())));
          Frames.write(out, Messages.of(Messages.REFUSED).put("error", "authentication failed"));
        }
        return null;
      });
      IOException refused = assertThrows(IOException.class, () -> MasterChannel.connect(
          server.getInetAddress().getHostAddress(), server.getLocalPort(), CONTAINER, ChannelSecret.generate()));
      assertEquals("the master refused this executor: authentication failed", refused.getMessage());
      played.get(10, TimeUnit.SECONDS);
    }
  }
}
