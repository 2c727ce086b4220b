/**
 * Canary and A/B releases of a deployment (`/api/deployments/NAME/canary`, admin key): status with
 * live counters and the sequential test's evidence, approve, promote, abort, evaluate now.
 */
import type { Canary as CanaryRecord, CanaryStatusName } from '../core/contracts.js';
import type { Transport } from './http.js';
import type { DeploymentSpec } from './types.js';

const segment = encodeURIComponent;

export type { CanaryStatusName };

/** The mixture SPRT on one signal: reject when `statistic` reaches `threshold` (= 1/alpha). */
export interface CanaryTest {
  difference: number;
  standard_error: number;
  statistic: number;
  threshold: number;
  p_value: number;
  alpha: number;
}

/** One challenger against the baseline on one signal (`error_rate`, `latency`, `score:NAME`). */
export interface CanaryComparison {
  variant: string;
  signal: string;
  baseline: { n: number; bad: number; rate: number };
  challenger: { n: number; bad: number; rate: number };
  verdict: 'insufficient' | 'harm' | 'non_inferior' | 'undecided';
  harm?: CanaryTest;
  non_inferiority?: CanaryTest & { margin: number };
}

/** A canary as the API answers it, with its last evaluation read as the analysis writes it. */
export interface Canary extends Omit<CanaryRecord, 'last_evaluation'> {
  last_evaluation: CanaryEvaluation | null;
}

export interface CanaryEvaluation {
  at: number;
  decision: 'continue' | 'promote' | 'rollback';
  /** The challenger promoted, or the one that caused the rollback. */
  variant?: string;
  reason: string;
  latency_threshold_ms: number | null;
  comparisons: CanaryComparison[];
}

/**
 * Counters per variant, written by every replica each second: `requests`, `errors`, latency
 * histogram buckets `latency:<i>` (bucket i holds [1.2^i, 1.2^(i+1)) ms) and posted scores
 * `score:<source>:n` / `score:<source>:bad`.
 */
export type CanaryCounts = Record<string, Record<string, number>>;

export interface CanaryStatus extends Canary {
  counts: CanaryCounts;
}

/** What a person reads first for one variant, computed from its counters. */
export interface CanaryVariantStats {
  variant: string;
  requests: number;
  errors: number;
  error_rate: number;
  /** Upper bound of the histogram bucket holding the quantile (within 20 %); null without successful calls. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

const bucketBase = 1.2;

function latencyQuantile(buckets: [number, number][], total: number, quantile: number): number | null {
  if (total === 0) return null;
  let seen = 0;
  for (const [index, count] of buckets) {
    seen += count;
    if (seen >= quantile * total) return bucketBase ** (index + 1);
  }
  return null;
}

/**
 * Requests, errors, error rate and latency p50/p95 per variant from a canary's counters.
 * @example const stats = canaryVariantStats(await fener.canary.status('bot'));
 */
export function canaryVariantStats(status: Pick<CanaryStatus, 'variants' | 'counts'>): CanaryVariantStats[] {
  return status.variants.map(({ name }) => {
    const counts = status.counts[name] ?? {};
    const requests = counts.requests ?? 0;
    const errors = counts.errors ?? 0;
    const buckets: [number, number][] = Object.entries(counts)
      .filter(([metric]) => metric.startsWith('latency:'))
      .map(([metric, count]): [number, number] => [Number(metric.slice('latency:'.length)), count])
      .filter(([index]) => Number.isInteger(index))
      .sort((a, b) => a[0] - b[0]);
    const total = buckets.reduce((sum, [, count]) => sum + count, 0);
    return {
      variant: name,
      requests,
      errors,
      error_rate: requests === 0 ? 0 : errors / requests,
      latency_p50_ms: latencyQuantile(buckets, total, 0.5),
      latency_p95_ms: latencyQuantile(buckets, total, 0.95),
    };
  });
}

/** One variant of a new canary: the active version (neither `version` nor `spec`), an existing version, or a new spec. */
export interface CanaryVariantInput {
  /** a-z, 0-9, "_" and "-", starting with a letter. */
  name: string;
  /** Share of traffic; all variants add up to 100. */
  percent: number;
  version?: number;
  /** Stored as a candidate deployment version (approval follows the policy, not the spec). */
  spec?: Omit<DeploymentSpec, 'requires_approval'>;
}

/** The analysis; every field has a default on the server (alpha 0.05, 200 samples, automatic decisions). */
export interface CanaryAnalysisInput {
  alpha?: number;
  tau?: number;
  min_samples?: number;
  /** Challenger requests after which an undecided canary is rolled back; null runs until decided. */
  max_samples?: number | null;
  auto_promote?: boolean;
  auto_rollback?: boolean;
  error_rate?: { enabled?: boolean; margin?: number };
  latency?: { enabled?: boolean; margin?: number; quantile?: number; threshold_ms?: number };
  scores?: Record<string, { bad_below?: number; margin?: number }>;
}

export interface CanaryStartInput {
  /** 2 to 5 variants. */
  variants: CanaryVariantInput[];
  /** Default: the variant with neither version nor spec. */
  baseline?: string;
  analysis?: CanaryAnalysisInput;
}

export interface CanaryApi {
  /** The deployment's latest canary (404 when it never had one). */
  status(deployment: string): Promise<CanaryStatus>;
  start(deployment: string, input: CanaryStartInput): Promise<Canary>;
  approve(deployment: string): Promise<Canary>;
  /** Under a policy requiring approval, the first call only records the request. */
  promote(deployment: string, variant?: string): Promise<{ canary: Canary; awaiting_approval: boolean }>;
  /** Stops the canary: all traffic returns to the active version. */
  abort(deployment: string): Promise<Canary>;
  /** Runs the analysis now and applies its decision. */
  evaluate(deployment: string): Promise<CanaryEvaluation>;
}

/** @example const { status, counts, last_evaluation } = await fener.canary.status('bot'); */
export function canaryApi(http: Transport): CanaryApi {
  const base = (deployment: string): string => `/api/deployments/${segment(deployment)}/canary`;
  return {
    status: (deployment) => http.request('GET', base(deployment)),
    start: (deployment, input) => http.request('POST', base(deployment), { body: input }),
    approve: (deployment) => http.request('POST', `${base(deployment)}/approve`),
    promote: (deployment, variant) =>
      http.request('POST', `${base(deployment)}/promote`, { body: variant === undefined ? {} : { variant } }),
    abort: (deployment) => http.request('POST', `${base(deployment)}/abort`),
    evaluate: (deployment) => http.request('POST', `${base(deployment)}/evaluate`),
  };
}
