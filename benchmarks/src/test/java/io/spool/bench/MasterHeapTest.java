package io.spool.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Reading jcmd's class histogram; finding a master that is not on this machine. */
class MasterHeapTest {

  private static final String HISTOGRAM = """
      12109:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:        473093       67150496  [B (java.base@17.0.15)
         2:        100000        2400000  io.spool.appmaster.Scheduler$Queued
         3:         10489        8126960  [I (java.base@17.0.15)
      7239:             1             16  sun.util.resources.cldr.provider.CLDRLocaleDataMetaInfo (jdk.localedata)
      Total       583583       77677472
      """;

  @Test
  void histogramGivesInstancesAndBytesPerClassAndTheTotals() throws IOException {
    MasterHeap.Histogram h = MasterHeap.parse(HISTOGRAM);

    assertEquals(100_000, h.instancesOf(SubmissionWorkload.QUEUED_CLASS));
    assertEquals(2_400_000L, h.bytes().get(SubmissionWorkload.QUEUED_CLASS));
    assertEquals(8_126_960L, h.bytes().get("[I"));
    assertEquals(1, h.instancesOf("sun.util.resources.cldr.provider.CLDRLocaleDataMetaInfo"));
    assertEquals(0, h.instancesOf("no.such.Class"));
    assertEquals(583_583L, h.totalInstances());
    assertEquals(77_677_472L, h.totalBytes());
  }

  @Test
  void outputWithoutHistogramIsRefused() {
    assertThrows(IOException.class, () -> MasterHeap.parse("12109:\ncom.sun.tools.attach.AttachNotSupportedException"));
  }

  @Test
  void masterOfAnUnknownFunctionIsNotFoundOnThisMachine() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> MasterHeap.find("no-such-function"));

    assertTrue(e.getMessage().contains("is visible on this machine"), e.getMessage());
  }
}
