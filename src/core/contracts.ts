/**
 * Wire shapes that the server's modules produce and the SDK hands to its callers, defined once.
 * Types only, importing nothing: the browser SDK takes them from this file directly (core's
 * index also loads configuration and ids, which need Node), the server's modules through the index.
 */

export type StatsBucket = 'minute' | 'hour' | 'day';
export type StatsGroupBy = 'model' | 'key' | 'deployment' | 'project';

/** One time bucket of the dashboard's series (of one group when grouped). */
export interface StatsPoint {
  /** Bucket start, epoch ms. */
  t: number;
  /** The group's value (model name, key id, deployment name, project id); null when ungrouped or none. */
  group: string | null;
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** Totals and percentiles over a whole window (percentiles from histograms, within a small relative error). */
export interface StatsSummary {
  from: number;
  to: number;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  avg_latency_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}

/** An error code and message, how often it happened in a window and when last. */
export interface TopError {
  code: string;
  message: string;
  count: number;
  last_at: number;
}

/** One gate ("rougeL>=0.40", "exact_match>=baseline-0.02") checked on one variant of a run. */
export interface GateResult {
  gate: string;
  variant: string;
  passed: boolean;
  actual: number | null;
  threshold: number | null;
  message: string;
}

/** A mean over items with its bootstrap confidence interval. */
export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Two runs (or variants) compared item by item with a paired bootstrap. */
export interface PairedComparison {
  /** Mean of candidate − baseline over the paired items. */
  meanDifference: number;
  low: number;
  high: number;
  n: number;
  /** Two-sided bootstrap p-value for "no difference". */
  pValue: number;
  wins: number;
  losses: number;
  ties: number;
}

/** One variant of an experiment run, aggregated over its items. */
export interface VariantSummary {
  variant: string;
  model: string;
  items: number;
  errors: number;
  error_rate: number;
  /** Score key (`exact_match`, `rougeL`, `judge.correct`…) → mean over the items that have it, with its interval. */
  scores: Record<string, MeanInterval>;
  latency_ms: { mean: number; p50: number; p95: number };
  tokens: { input: number; output: number };
  /** Total USD; null when the cost could not be known (runs through HTTP). */
  cost_usd: number | null;
  cost_per_item_usd: number | null;
}

/** A completed run's aggregates per variant. */
export interface RunSummary {
  run_id: string;
  experiment: string;
  seed: number;
  bootstrap: { iterations: number; confidence: number };
  variants: VariantSummary[];
}
