/**
 * The Java client library of Spool: connect with {@link io.spool.client.Spool}, define and save a
 * {@link io.spool.client.Function}, submit {@link io.spool.client.Job}s to it with {@code call} and {@code map},
 * wait for them and read their results and logs. Everything under {@code io.spool.client.internal} is not API.
 */
package io.spool.client;
