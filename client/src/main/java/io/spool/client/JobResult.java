package io.spool.client;

/**
 * A job and its result, as {@link Function#iterResults()} yields them.
 *
 * @param job the job (its state as read for the iteration)
 * @param value the result: parsed JSON, raw bytes, or the requested type; null if the job returned None
 */
public record JobResult<T>(Job job, T value) {}
