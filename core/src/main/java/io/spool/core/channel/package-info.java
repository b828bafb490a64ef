/** The channel between a function's master and its executors: framing, messages, and the per-application secret. */
package io.spool.core.channel;
