package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.channel.Frames;
import io.spool.core.channel.Messages;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import io.spool.core.state.StateStore;
import io.spool.local.SpoolClusterExtension;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Strangers on a master's executor port — a wrong secret, garbage bytes, a connection that says nothing — are
 * refused or left to time out, and the master goes on serving its real executors.
 */
@ExtendWith(SpoolClusterExtension.class)
@Timeout(300)
class ChannelProbeTest {

  @Test
  void theMasterRefusesStrangersAndKeepsServingItsExecutors(Configuration clusterConf) throws Exception {
    Configuration conf = TestSetup.quickIdle(clusterConf);
    try (Spool spool = Spool.connect(conf);
         StateStore store = TestSetup.store(conf)) {
      Function f = Function.builder(spool, TestSetup.python("results.py") + ":nap").name("probed").memory(256)
          .maximumConcurrency(1).build().save();
      List<Job> jobs = new ArrayList<>(f.map(IntStream.range(0, 30).mapToObj(i -> List.of(i, 200)).toList()));
      JsonNode live = awaitLiveMasterRunningJobs(store, f);
      String host = live.get("host").asText();
      int port = live.get("port").asInt();

      try (Socket halfOpen = new Socket(host, port)) {
        try (Socket wrongSecret = new Socket(host, port)) {
          DataInputStream in = input(wrongSecret);
          DataOutputStream out = new DataOutputStream(wrongSecret.getOutputStream());
          assertEquals(Messages.CHALLENGE, Messages.type(Frames.read(in)));
          Frames.write(out, Messages.of(Messages.HELLO).put("container", "container_1_0001_01_000002")
              .put("mac", "0000"));
          ObjectNode refused = Frames.read(in);
          assertEquals(Messages.REFUSED, Messages.type(refused));
          assertEquals("authentication failed", refused.get("error").asText());
          assertClosedByTheMaster(in);
        }
        try (Socket http = new Socket(host, port)) {
          DataInputStream in = input(http);
          Frames.read(in);
          http.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertClosedByTheMaster(in);
        }
        try (Socket garbage = new Socket(host, port)) {
          DataInputStream in = input(garbage);
          Frames.read(in);
          DataOutputStream out = new DataOutputStream(garbage.getOutputStream());
          out.writeInt(64);
          byte[] noise = new byte[64];
          new java.util.Random(7).nextBytes(noise);
          out.write(noise);
          out.flush();
          assertClosedByTheMaster(in);
        }
        try (Socket claimsMuch = new Socket(host, port)) {
          DataInputStream in = input(claimsMuch);
          Frames.read(in);
          new DataOutputStream(claimsMuch.getOutputStream()).writeInt(Frames.MAX_FRAME_BYTES);
          assertClosedByTheMaster(in);
        }

        jobs.addAll(f.map(IntStream.range(30, 40).mapToObj(i -> List.of(i, 50)).toList()));
        Map<JobStatus, Long> counts = f.waitForCompletion(Duration.ofMinutes(3));
        assertEquals(40L, counts.get(JobStatus.SUCCESS), counts.toString());
        assertEquals(IntStream.range(0, 40).boxed().toList(), f.results(Integer.class),
            "every job ran once, on the master's own executors, while strangers knocked");
      }
      f.delete(true);
    }
  }

  private static DataInputStream input(Socket socket) throws IOException {
    socket.setSoTimeout(20_000);
    return new DataInputStream(new BufferedInputStream(socket.getInputStream()));
  }

  /** The master closed the connection: nothing more comes, and the read ends rather than waits. */
  private static void assertClosedByTheMaster(DataInputStream in) throws IOException {
    try {
      int next = in.read();
      assertEquals(-1, next, "the master sent more after refusing");
    } catch (java.net.SocketException reset) {
      assertTrue(reset.getMessage().toLowerCase().contains("reset"), reset.getMessage());
    }
  }

  private static JsonNode awaitLiveMasterRunningJobs(StateStore store, Function f) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (f.jobStatistics().getOrDefault(JobStatus.SUCCESS, 0L) > 0) {
        try {
          return Json.tree(store.curator().getData().forPath(store.layout().masterLive(f.id())));
        } catch (org.apache.zookeeper.KeeperException.NoNodeException notYet) {
          // published once the master is ready
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no master of function " + f.id() + " ran a job within 2 minutes");
  }
}
