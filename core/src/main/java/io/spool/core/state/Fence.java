package io.spool.core.state;

/**
 * The live master's hold on a function: its epoch and the version of the epoch znode it wrote. Every write of the
 * master checks that version in the same multi-op, so the writes of an older master attempt fail once a newer one
 * has taken over.
 *
 * @param functionId the function
 * @param epoch the master attempt's epoch, counting up from 1
 * @param version the epoch znode's version that this master wrote
 */
public record Fence(String functionId, long epoch, int version) {}
