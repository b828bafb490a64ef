package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.core.channel.ChannelSecret;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The master's executor channels and dispatcher against synthetic executors on sockets, with the scheduler on an
 * embedded ZooKeeper: what executors ask for they get, what they report is recorded, and however many are
 * connected, they cost the master no thread each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DispatcherTest {

  private final byte[] secret = ChannelSecret.generate();
  private TestingServer zookeeper;
  private StateStore store;
  private StateWriter writer;
  private Dispatcher dispatcher;
  private ExecutorChannels channels;
  private String functionId;

  @BeforeAll
  void start() throws Exception {
    zookeeper = new TestingServer(true);
    store = StateStore.builder().connectString(zookeeper.getConnectString()).root("/dispatcher-test").build();
    store.start();
  }

  @AfterAll
  void stop() throws Exception {
    store.close();
    zookeeper.close();
  }

  @AfterEach
  void closeMaster() throws IOException {
    channels.close();
    dispatcher.close();
    writer.close();
  }

  /** A master's channels and dispatcher for a READY function of {@code jobs} jobs. */
  private void master(int jobs, long idleReleaseMs) throws IOException {
    functionId = JobId.newFunctionId();
    FunctionRecord function = new FunctionRecord().id(functionId).name("f").status(FunctionStatus.READY)
        .timeout(60).creationDate(Instant.now()).modifiedDate(Instant.now());
    store.createFunction(function);
    if (jobs > 0) {
      store.submitJobs(functionId, "batch", IntStream.range(0, jobs).mapToObj(i -> new JobRecord()).toList());
    }
    writer = new StateWriter(store, store.takeEpoch(functionId), 600_000, stale -> { });
    Dispatcher[] self = new Dispatcher[1];
    Scheduler scheduler = new Scheduler(functionId, store, writer, () -> function, Clock.systemUTC(),
        () -> { if (self[0] != null) { self[0].signal(); } }, () -> Integer.MAX_VALUE);
    dispatcher = new Dispatcher(scheduler, new Dispatcher.Work() {
      @Override
      public ObjectNode welcome() {
        return JsonNodeFactory.instance.objectNode().put("owner", "alice");
      }

      @Override
      public ObjectNode jobMessage(JobRecord job) {
        return JsonNodeFactory.instance.objectNode().put("job", job.id()).put("attempt", job.executionCount());
      }

      @Override
      public boolean admit(String container) {
        return !container.startsWith("stranger");
      }

      @Override
      public boolean retire(String container) {
        return false;
      }
    }, Clock.systemUTC(), idleReleaseMs);
    self[0] = dispatcher;
    channels = new ExecutorChannels("127.0.0.1", secret, dispatcher);
    dispatcher.start(channels);
    store.submissions(functionId).forEach(scheduler::addSubmission);
  }

  /** A synthetic executor: connects, proves the secret, asks for jobs and reports them done. */
  private final class Executor implements Closeable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    final ObjectNode answer;

    Executor(String container, byte[] proof, int protocol) throws IOException {
      socket = new Socket("127.0.0.1", channels.port());
      socket.setSoTimeout(20_000);
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      ObjectNode challenge = Frames.read(in);
      Frames.write(out, Messages.of(Messages.HELLO).put("container", container).put("protocol", protocol)
          .put("mac", ChannelSecret.mac(proof, challenge.get("nonce").asText(), container)));
      answer = Frames.read(in);
    }

    Executor(String container) throws IOException {
      this(container, secret, Messages.PROTOCOL);
    }

    List<String> ask(int count) throws IOException {
      Frames.write(out, Messages.of(Messages.WANT).put("count", count));
      ObjectNode jobs = Frames.read(in);
      assertEquals(Messages.JOBS, Messages.type(jobs), jobs.toString());
      List<String> ids = new ArrayList<>();
      jobs.get("jobs").forEach(j -> ids.add(j.get("job").asText()));
      return ids;
    }

    void done(List<String> jobIds) throws IOException {
      ObjectNode done = Messages.of(Messages.DONE);
      ArrayNode outcomes = done.putArray("outcomes");
      jobIds.forEach(id -> outcomes.addObject().put("job", id).put("status", "SUCCESS").put("exitCode", 0)
          .put("runtime", 0.001));
      Frames.write(out, done);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private void awaitSuccesses(long n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (store.jobStatistics(functionId).get(JobStatus.SUCCESS) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(n, store.jobStatistics(functionId).get(JobStatus.SUCCESS));
  }

  @Test
  void manyExecutorsGetWhatTheyAskForWithoutAThreadEachAndTheirOutcomesAreRecorded() throws Exception {
    master(12, 60_000);
    int threadsBefore = Thread.activeCount();
    List<Executor> executors = new ArrayList<>();
    List<String> handedOut = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        Executor e = new Executor("container_1_0001_01_0000" + (10 + i));
        assertEquals(Messages.WELCOME, Messages.type(e.answer), e.answer.toString());
        assertEquals(Messages.PROTOCOL, e.answer.get("protocol").asInt());
        executors.add(e);
      }
      assertTrue(Thread.activeCount() - threadsBefore <= 2,
          "12 executors connected: " + (Thread.activeCount() - threadsBefore) + " more threads in the master");
      for (Executor e : executors) {
        List<String> jobs = e.ask(1);
        assertEquals(1, jobs.size(), jobs.toString());
        handedOut.addAll(jobs);
      }
      assertEquals(12, handedOut.stream().distinct().count(), "each job to one executor: " + handedOut);
      for (int i = 0; i < executors.size(); i++) {
        executors.get(i).done(List.of(handedOut.get(i)));
      }
      awaitSuccesses(12);
    } finally {
      for (Executor e : executors) {
        e.close();
      }
    }
  }

  @Test
  void anExecutorAskingForManyGetsThemInOneMessageAndReportsThemInOne() throws Exception {
    master(5, 60_000);
    try (Executor e = new Executor("container_1_0001_01_000002")) {
      List<String> jobs = e.ask(8);
      assertEquals(IntStream.rangeClosed(1, 5).mapToObj(n -> functionId + "-" + n).toList(), jobs);
      e.done(jobs);
      awaitSuccesses(5);
    }
  }

  @Test
  void anExecutorThatGetsNothingForTheIdleTimeIsToldToStop() throws Exception {
    master(0, 300);
    try (Executor e = new Executor("container_1_0001_01_000003")) {
      Frames.write(e.out, Messages.of(Messages.WANT).put("count", 1));
      ObjectNode stop = Frames.read(e.in);
      assertEquals(Messages.STOP, Messages.type(stop));
      assertEquals("no more work", stop.get("reason").asText());
    }
  }

  @Test
  void aStrangerAWrongProofAndAnotherProtocolAreRefusedWithTheReason() throws Exception {
    master(1, 60_000);
    try (Executor wrong = new Executor("container_1_0001_01_000004", ChannelSecret.generate(), Messages.PROTOCOL);
         Executor old = new Executor("container_1_0001_01_000005", secret, 1);
         Executor stranger = new Executor("stranger_1")) {
      assertEquals("authentication failed", wrong.answer.path("error").asText(), wrong.answer.toString());
      assertTrue(old.answer.path("error").asText().contains("executor protocol 1 is not the master's 2"),
          old.answer.toString());
      assertEquals("unknown container stranger_1", stranger.answer.path("error").asText());
    }
  }
}
