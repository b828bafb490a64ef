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
    return id != null && id.matches("[a-z0-9]{" + FUNCTION_ID_LENGTH + "}");
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
    if (dash < 0 || !isFunctionId(jobId.substring(0, dash)) || !jobId.substring(dash + 1).matches("[1-9][0-9]{0,17}")) {
      throw new IllegalArgumentException("'" + jobId + "' is not a job id (a job id looks like "
          + "'k3mz8q2hxa-17': the function's id, a dash, the job's number)");
    }
    return dash;
  }
}
