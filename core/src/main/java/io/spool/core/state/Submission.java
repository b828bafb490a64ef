package io.spool.core.state;

/**
 * One entry of a function's submission log: a range of job numbers that went in together.
 *
 * @param name the entry's znode name
 * @param first the first job number
 * @param count how many consecutive job numbers
 */
public record Submission(String name, long first, int count) {

  public long end() {
    return first + count;
  }
}
