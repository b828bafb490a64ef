package io.spool.core.model;

import java.security.SecureRandom;

/**
 * Identifiers. A function id is 10 lowercase letters and digits; a job id is {@code <functionId>-<number>}, the
 * number counting up from 1 within the function, so a job's place in ZooKeeper follows from its id.
 */
public final class JobId {

  private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int FUNCTION_ID_LENGTH = 10;

  private JobId() {}

  /** A new random function id. */
  public static String newFunctionId() {
    StringBuilder b = new StringBuilder(FUNCTION_ID_LENGTH);
    for (int i = 0; i < FUNCTION_ID_LENGTH; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }

  /** Whether {@code id} has the form of a function id. */
  public static boolean isFunctionId(String id) {
    return id != null && isFunctionId(id, id.length());
  }

  /** Whether the first {@code end} characters of {@code id} are a function id (checked per job: no regex). */
  private static boolean isFunctionId(String id, int end) {
    if (end != FUNCTION_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < end; i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  /** Whether the characters of {@code id} after {@code dash} are a job number: 1 to 18 digits, no leading zero. */
  private static boolean isNumber(String id, int dash) {
    int length = id.length() - dash - 1;
    if (length < 1 || length > 18 || id.charAt(dash + 1) == '0') {
      return false;
    }
    for (int i = dash + 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  public static String of(String functionId, long number) {
    return functionId + "-" + number;
  }

  /** The function part of a job id; throws {@link IllegalArgumentException} if {@code jobId} is not a job id. */
  public static String functionId(String jobId) {
    int dash = checked(jobId);
    return jobId.substring(0, dash);
  }

  /** The number part of a job id. */
  public static long number(String jobId) {
    int dash = checked(jobId);
    return Long.parseLong(jobId.substring(dash + 1));
  }

  private static int checked(String jobId) {
    int dash = jobId == null ? -1 : jobId.lastIndexOf('-');
    if (dash < 0 || !isFunctionId(jobId, dash) || !isNumber(jobId, dash)) {
      throw new IllegalArgumentException("'" + jobId + "' is not a job id (a job id looks like "
          + "'k3mz8q2hxa-17': the function's id, a dash, the job's number)");
    }
    return dash;
  }
}
