/**
 * The function master: one YARN application per function. It holds the function's master lock and epoch, runs
 * the (trivial, for now) build step, keeps the queue of the function's jobs, reconciles its executor containers
 * toward the work there is, hands jobs to executors over the authenticated channel and is the single writer of
 * job execution state.
 */
package io.spool.appmaster;
