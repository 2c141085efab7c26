/**
 * Latency figures of a run: percentiles over every sample (no sampling, no
 * histogram rounding) and per-second series for the charts.
 */

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** One point per time bucket: p50 and p99 of the samples whose time falls in it. */
export interface SeriesPoint {
  /** Seconds since the series origin (bucket start). */
  t: number;
  p50: number;
  p99: number;
  count: number;
}

export function perSecondSeries(times: ArrayLike<number>, values: ArrayLike<number>, origin: number, bucketMs = 1000): SeriesPoint[] {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < times.length; i++) {
    const b = Math.floor((times[i]! - origin) / bucketMs);
    if (b < 0) continue;
    let list = buckets.get(b);
    if (!list) buckets.set(b, (list = []));
    list.push(values[i]!);
  }
  return [...buckets.keys()].sort((a, b) => a - b).map((b) => {
    const s = summarize(buckets.get(b)!);
    return { t: (b * bucketMs) / 1000, p50: s.p50, p99: s.p99, count: s.count };
  });
}
