package io.spool.core.state;

/**
 * A value read from ZooKeeper with the znode version it was read at, for compare-and-set writes.
 *
 * @param value the value
 * @param version the znode's data version
 */
public record Versioned<T>(T value, int version) {}
