package io.spool.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResourcesTest {

  @ParameterizedTest
  @CsvSource({"512,512", "512Mi,512", "512MB,512", "2Gi,2048", "2GB,2048", "1.5Gi,1536", "' 64 ',64", "3G,3072"})
  void memoryStringsAreMiB(String text, int mib) {
    assertEquals(mib, Resources.parseMemoryMiB(text));
  }

  @Test
  void memoryIntegersAreMiB() {
    assertEquals(2048, Resources.parseMemoryMiB(2048));
    assertEquals(100, Resources.parseMemoryMiB(100L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2XB", "", "abc", "2 Ti", "-5", "0.3Mi", "1.0001Gi", "Gi"})
  void badMemoryIsAClearError(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resources.parseMemoryMiB(text));
    assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
    assertTrue(e.getMessage().contains("2Gi"), e.getMessage());
  }

  @Test
  void zeroOrNegativeMemoryIsRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Resources.parseMemoryMiB(0))
        .getMessage().contains("more than 0"));
    assertThrows(IllegalArgumentException.class, () -> Resources.parseMemoryMiB("0Mi"));
    assertThrows(IllegalArgumentException.class, () -> Resources.parseMemoryMiB(1.5));
  }

  @Test
  void cpusFromNumbersAndStrings() {
    assertEquals(2.0, Resources.parseCpus(2));
    assertEquals(0.5, Resources.parseCpus("0.5"));
    assertEquals(1.0, Resources.parseCpus(" 1 "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "NaN", "Infinity", "two", ""})
  void cpusMustBeAPositiveNumber(String text) {
    assertThrows(IllegalArgumentException.class, () -> Resources.parseCpus(text));
  }

  @Test
  void cpusZeroAsNumberIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resources.parseCpus(0));
    assertTrue(e.getMessage().contains("greater than 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Resources.parseCpus(-0.5));
  }

  @Test
  void vcoresRoundUp() {
    assertEquals(1, Resources.vcores(0.5));
    assertEquals(1, Resources.vcores(1));
    assertEquals(2, Resources.vcores(1.2));
    assertEquals(3, Resources.vcores(3));
  }
}
