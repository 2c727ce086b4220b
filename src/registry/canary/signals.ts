/**
 * Signal sources: each turns a canary's stored counters into one Bernoulli "bad outcome" per
 * observation and variant, so the same sequential test reads them all. A new source (a drift
 * score, a guardrail hit rate) is one more `SignalSource`.
 *
 * Counters are written by every replica (see counters.ts): `requests`, `errors`, latency
 * histogram buckets `latency:<i>` on a logarithmic grid (bucket i holds [1.2^i, 1.2^(i+1)) ms),
 * and for posted scores `score:<source>:n` / `score:<source>:bad`.
 */
import type { CanaryCounts } from '../../store/index.js';
import type { ArmCounts } from './statistics.js';
import type { CanaryAnalysis } from './settings.js';

const bucketBase = 1.2;
const maxBucket = 80; // 1.2^80 ms ≈ 2 days

export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(maxBucket, Math.floor(Math.log(ms) / Math.log(bucketBase)));
}

export function bucketUpperMs(bucket: number): number {
  return bucketBase ** (bucket + 1);
}

/** The bucket whose upper bound is `ms` (inverse of bucketUpperMs, tolerant of float rounding). */
export function bucketOfUpper(ms: number): number {
  return Math.round(Math.log(ms) / Math.log(bucketBase)) - 1;
}

function histogram(metrics: Record<string, number> | undefined): number[] {
  const buckets = new Array<number>(maxBucket + 1).fill(0);
  for (const [metric, count] of Object.entries(metrics ?? {})) {
    if (!metric.startsWith('latency:')) continue;
    const index = Number(metric.slice('latency:'.length));
    if (Number.isInteger(index) && index >= 0 && index <= maxBucket) buckets[index] = (buckets[index] ?? 0) + count;
  }
  return buckets;
}

/** Observations and how many fell above `bucket`. */
export function latencyCounts(metrics: Record<string, number> | undefined, bucket: number): { n: number; over: number } {
  const buckets = histogram(metrics);
  let n = 0;
  let over = 0;
  buckets.forEach((count, index) => {
    n += count;
    if (index > bucket) over += count;
  });
  return { n, over };
}

/** The bucket holding the `quantile` of a histogram (its upper bound is the latency bound). */
export function quantileBucket(metrics: Record<string, number> | undefined, quantile: number): number | undefined {
  const buckets = histogram(metrics);
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (let index = 0; index < buckets.length; index++) {
    seen += buckets[index] ?? 0;
    if (seen >= quantile * total) return index;
  }
  return maxBucket;
}

export interface LatencyBound {
  thresholdMs: number;
  /** Counts at the moment the bound was fixed: the warm-up that chose it is not tested. */
  snapshot: Record<string, { n: number; over: number }>;
}

export interface SignalSource {
  /** `error_rate`, `latency`, `score:feedback`… */
  name: string;
  margin: number;
  /** Bad outcomes of one variant, or undefined while the source cannot say yet (latency before its bound is fixed). */
  arm(counts: CanaryCounts, variant: string): ArmCounts | undefined;
}

export function errorRateSource(margin: number): SignalSource {
  return {
    name: 'error_rate',
    margin,
    arm: (counts, variant) => ({ n: counts[variant]?.requests ?? 0, bad: counts[variant]?.errors ?? 0 }),
  };
}

export function latencySource(margin: number, bound: LatencyBound | undefined): SignalSource {
  return {
    name: 'latency',
    margin,
    arm(counts, variant) {
      if (!bound) return undefined;
      const now = latencyCounts(counts[variant], bucketOfUpper(bound.thresholdMs));
      const before = bound.snapshot[variant] ?? { n: 0, over: 0 };
      return { n: now.n - before.n, bad: now.over - before.over };
    },
  };
}

export function scoreSource(name: string, margin: number): SignalSource {
  return {
    name: `score:${name}`,
    margin,
    arm: (counts, variant) => ({ n: counts[variant]?.[`score:${name}:n`] ?? 0, bad: counts[variant]?.[`score:${name}:bad`] ?? 0 }),
  };
}

/** The sources a canary's analysis enables. */
export function signalSources(analysis: CanaryAnalysis, bound: LatencyBound | undefined): SignalSource[] {
  const sources: SignalSource[] = [];
  if (analysis.error_rate.enabled) sources.push(errorRateSource(analysis.error_rate.margin));
  if (analysis.latency.enabled) sources.push(latencySource(analysis.latency.margin, bound));
  for (const [name, score] of Object.entries(analysis.scores)) sources.push(scoreSource(name, score.margin));
  return sources;
}

/**
 * Fixes the latency bound once the baseline has `minSamples` latencies: its configured value, or
 * the baseline's quantile. Everything counted so far becomes the snapshot the test starts after.
 */
export function fixLatencyBound(
  counts: CanaryCounts,
  canary: { baseline: string; analysis: CanaryAnalysis; variants: string[] },
): LatencyBound | undefined {
  const { baseline, analysis, variants } = canary;
  let bucket: number | undefined;
  if (analysis.latency.threshold_ms !== undefined) bucket = latencyBucket(analysis.latency.threshold_ms);
  else {
    if (latencyCounts(counts[baseline], 0).n < analysis.min_samples) return undefined;
    bucket = quantileBucket(counts[baseline], analysis.latency.quantile);
  }
  if (bucket === undefined) return undefined;
  const snapshot: LatencyBound['snapshot'] = {};
  // A configured bound needs no warm-up: every observation counts.
  for (const variant of variants) {
    snapshot[variant] = analysis.latency.threshold_ms === undefined ? latencyCounts(counts[variant], bucket) : { n: 0, over: 0 };
  }
  return { thresholdMs: bucketUpperMs(bucket), snapshot };
}
