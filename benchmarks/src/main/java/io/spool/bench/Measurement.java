package io.spool.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One row of the report: a metric of Spool, measured once per repetition, beside the same metric of its peer (if it
 * has one), with the raw samples behind both.
 *
 * @param workload the workload that measured it
 * @param metric what was measured, such as {@code 2000 jobs, submit → all results}
 * @param unit the unit of the samples, such as {@code s} or {@code jobs/s}
 * @param spool Spool's value per repetition
 * @param peer the peer's name, or null
 * @param peerValues the peer's value per repetition (empty without a peer)
 * @param raw further samples, by name (every latency, every linesPerMap tried, ...), for the JSON
 */
record Measurement(String workload, String metric, String unit, List<Double> spool, String peer,
    List<Double> peerValues, Map<String, Object> raw) {

  Measurement {
    spool = List.copyOf(spool);
    peerValues = List.copyOf(peerValues);
    raw = Map.copyOf(raw);
  }

  static Measurement alone(String workload, String metric, String unit, List<Double> spool, Map<String, Object> raw) {
    return new Measurement(workload, metric, unit, spool, null, List.of(), raw);
  }

  double spoolMedian() {
    return percentile(spool, 50);
  }

  double peerMedian() {
    return peerValues.isEmpty() ? Double.NaN : percentile(peerValues, 50);
  }

  /** Spool's median over the peer's; NaN without a peer. */
  double ratio() {
    return peerValues.isEmpty() ? Double.NaN : spoolMedian() / peerMedian();
  }

  /** The nearest-rank percentile {@code p} (0–100) of {@code values}; NaN if there are none. */
  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
