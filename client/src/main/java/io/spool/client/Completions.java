package io.spool.client;

import java.util.List;

/**
 * Jobs of one function that ended after a point of its completion log, as {@link Function#completions} returns
 * them: pass {@link #cursor()} to the next call to go on from where these end.
 *
 * @param cursor where the next read starts
 * @param jobs the jobs that ended, in the order they ended
 */
public record Completions(String cursor, List<Job> jobs) {}
