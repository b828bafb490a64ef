/**
 * The benchmark of Spool against its peers on one embedded cluster: {@link io.spool.bench.Bench} runs the workloads
 * and writes the table, the raw samples and the plot.
 */
package io.spool.bench;
