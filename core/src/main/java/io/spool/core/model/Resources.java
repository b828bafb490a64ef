package io.spool.core.model;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and checking of the resources a job asks for: CPUs and memory. */
public final class Resources {

  private static final Pattern MEMORY = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(|Mi|MB|M|Gi|GB|G)");

  private Resources() {}

  /**
   * Memory in MiB from an integer or a string: {@code 512}, {@code "512"}, {@code "512Mi"}, {@code "512MB"},
   * {@code "2Gi"}, {@code "2GB"}. Anything else, or a value ≤ 0, is an {@link IllegalArgumentException} that says
   * what is accepted.
   */
  public static int parseMemoryMiB(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return checkMemory(((Number) value).longValue(), value);
    }
    if (value instanceof String) {
      String text = ((String) value).trim();
      Matcher m = MEMORY.matcher(text);
      if (m.matches()) {
        BigDecimal amount = new BigDecimal(m.group(1));
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        if (unit.startsWith("G")) {
          amount = amount.multiply(BigDecimal.valueOf(1024));
        }
        if (amount.stripTrailingZeros().scale() <= 0) {
          return checkMemory(amount.longValueExact(), value);
        }
      }
    }
    throw new IllegalArgumentException("memory " + describe(value)
        + " is not a memory size: give MiB as a whole number (512) or a string such as 512Mi, 512MB, 2Gi or 2GB");
  }

  private static int checkMemory(long mib, Object original) {
    if (mib <= 0 || mib > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("memory " + describe(original) + " must be more than 0 MiB");
    }
    return (int) mib;
  }

  /**
   * CPUs from a number or a numeric string ({@code 2}, {@code "0.5"}); must be a finite number above 0.
   */
  public static double parseCpus(Object value) {
    double cpus;
    if (value instanceof Number) {
      cpus = ((Number) value).doubleValue();
    } else if (value instanceof String) {
      try {
        cpus = Double.parseDouble(((String) value).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("cpus " + describe(value) + " is not a number: give e.g. 1, 2 or \"0.5\"");
      }
    } else {
      throw new IllegalArgumentException("cpus " + describe(value) + " is not a number: give e.g. 1, 2 or \"0.5\"");
    }
    if (!(cpus > 0) || Double.isInfinite(cpus)) {
      throw new IllegalArgumentException("cpus " + describe(value) + " must be a number greater than 0");
    }
    return cpus;
  }

  /** The YARN vcores for a number of CPUs: rounded up, at least 1. */
  public static int vcores(double cpus) {
    return Math.max(1, (int) Math.ceil(cpus - 1e-9));
  }

  private static String describe(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }
}
