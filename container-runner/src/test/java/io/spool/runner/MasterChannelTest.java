package io.spool.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.concurrent.BlockingQueue;
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
        assertEquals(Messages.PROTOCOL, hello.path("protocol").asInt(), "the hello names the protocol");
        Frames.write(out, Messages.of(Messages.WELCOME).put("callable", "jobs:echo"));
        for (String step = steps.take(); !step.equals("close"); step = steps.take()) {
          switch (step) {
            case "answer want with cancel then jobs" -> {
              ObjectNode want = Frames.read(in);
              assertEquals(Messages.WANT, Messages.type(want));
              assertEquals(2, want.path("count").asInt(), want.toString());
              Frames.write(out, Messages.of(Messages.CANCEL).put("job", "abcdefghij-7"));
              ObjectNode jobs = Messages.of(Messages.JOBS);
              jobs.putArray("jobs").add(Messages.of("unused").put("job", "abcdefghij-8"))
                  .add(Messages.of("unused").put("job", "abcdefghij-9"));
              Frames.write(out, jobs);
            }
            case "answer want with stop" -> {
              assertEquals(Messages.WANT, Messages.type(Frames.read(in)));
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

  /** Records what the master says, in order. */
  private static final class Heard implements MasterChannel.Listener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void jobs(List<JsonNode> jobs) {
      events.add("jobs " + jobs.stream().map(j -> j.path("job").asText()).toList());
    }

    @Override
    public void cancel(String jobId) {
      events.add("cancel " + jobId);
    }

    @Override
    public void stop(String reason) {
      events.add("stop " + reason);
    }

    @Override
    public void lost(IOException cause) {
      events.add("lost " + cause.getMessage());
    }

    String next() throws InterruptedException {
      String event = events.poll(10, TimeUnit.SECONDS);
      assertNotNull(event, "the listener heard nothing");
      return event;
    }
  }

  @Test
  void whatTheMasterSaysReachesTheListenerInOrderAndItsLossIsHeard() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> played = playMaster(server);
      Heard heard = new Heard();
      try (MasterChannel channel = MasterChannel.connect(server.getInetAddress().getHostAddress(),
          server.getLocalPort(), CONTAINER, secret)) {
        assertEquals("jobs:echo", channel.welcome().path("callable").asText());
        channel.listen(heard);

        steps.put("answer want with cancel then jobs");
        channel.send(Messages.of(Messages.WANT).put("count", 2));
        assertEquals("cancel abcdefghij-7", heard.next());
        assertEquals("jobs [abcdefghij-8, abcdefghij-9]", heard.next());

        steps.put("cancel"); // while the executor asks for nothing
        assertEquals("cancel abcdefghij-8", heard.next());

        steps.put("close");
        played.get(10, TimeUnit.SECONDS);
        String lost = heard.next();
        assertTrue(lost.startsWith("lost the channel to the master closed"), lost);
        assertThrows(IOException.class, () -> {
          for (int i = 0; i < 100; i++) { // a write may be buffered once; the peer's reset fails a later one
            channel.send(Messages.of(Messages.WANT).put("count", 1));
            Thread.sleep(10);
          }
        });
      }
      assertTrue(heard.events.isEmpty(), heard.events.toString());
    }
  }

  @Test
  void theEndOfTheChannelAfterStopIsNoLoss() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> played = playMaster(server);
      Heard heard = new Heard();
      try (MasterChannel channel = MasterChannel.connect(server.getInetAddress().getHostAddress(),
          server.getLocalPort(), CONTAINER, secret)) {
        channel.listen(heard);
        steps.put("answer want with stop");
        channel.send(Messages.of(Messages.WANT).put("count", 1));
        assertEquals("stop no more work", heard.next());
        steps.put("close");
        played.get(10, TimeUnit.SECONDS);
        assertNull(heard.events.poll(500, TimeUnit.MILLISECONDS), "a master that said stop has not been lost");
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
