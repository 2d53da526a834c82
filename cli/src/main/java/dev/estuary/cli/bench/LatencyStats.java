package dev.estuary.cli.bench;

import java.util.Arrays;

/** Latencies recorded by one worker (nanoseconds), merged and summarised after the run. */
final class LatencyStats {
  private long[] values = new long[1 << 14];
  private int count;

  void add(long nanos) {
    if (count == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[count++] = nanos;
  }

  int count() {
    return count;
  }

  static Summary summarise(Iterable<LatencyStats> parts) {
    int total = 0;
    for (LatencyStats p : parts) {
      total += p.count;
    }
    long[] all = new long[total];
    int at = 0;
    for (LatencyStats p : parts) {
      System.arraycopy(p.values, 0, all, at, p.count);
      at += p.count;
    }
    Arrays.sort(all);
    return new Summary(
        total, pct(all, 50), pct(all, 95), pct(all, 99), total == 0 ? 0 : all[total - 1]);
  }

  private static long pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  /** Percentiles in nanoseconds (nearest-rank). */
  record Summary(int count, long p50, long p95, long p99, long max) {}
}
