/**
 * One look at a canary: every challenger against the baseline on every signal, and the decision
 * that follows. Pure — the evaluator loads the counts and stores what this returns.
 *
 * - rollback: a challenger is worse on some signal (harm test at α / number of harm tests, so the
 *   family of tests keeps α together), or `max_samples` passed undecided;
 * - promote: one challenger, shown non-inferior on every signal (each at α: all must pass);
 * - continue: otherwise.
 */
import type { CanaryCounts } from '../../store/index.js';
import type { CanaryAnalysis } from './settings.js';
import type { LatencyBound, SignalSource } from './signals.js';
import { harmTest, nonInferiorityTest, type ArmCounts, type MixtureResult } from './statistics.js';

export type Verdict = 'insufficient' | 'harm' | 'non_inferior' | 'undecided';

export interface Comparison {
  variant: string;
  signal: string;
  baseline: ArmCounts & { rate: number };
  challenger: ArmCounts & { rate: number };
  verdict: Verdict;
  harm?: TestView;
  non_inferiority?: TestView & { margin: number };
}

interface TestView {
  difference: number;
  standard_error: number;
  statistic: number;
  threshold: number;
  p_value: number;
  alpha: number;
}

export interface Evaluation {
  at: number;
  decision: 'continue' | 'promote' | 'rollback';
  /** The challenger promoted or the one that caused the rollback. */
  variant?: string;
  reason: string;
  latency_threshold_ms: number | null;
  comparisons: Comparison[];
}

export interface EvaluationInput {
  baseline: string;
  challengers: string[];
  analysis: CanaryAnalysis;
  counts: CanaryCounts;
  sources: SignalSource[];
  latency: LatencyBound | undefined;
  now: number;
}

function view(result: MixtureResult, alpha: number): TestView {
  return {
    difference: result.difference,
    standard_error: result.standardError,
    statistic: result.statistic,
    threshold: result.threshold,
    p_value: result.pValue,
    alpha,
  };
}

function withRate(arm: ArmCounts): ArmCounts & { rate: number } {
  return { ...arm, rate: arm.n === 0 ? 0 : arm.bad / arm.n };
}

function compare(input: EvaluationInput, test: { variant: string; source: SignalSource; harmAlpha: number }): Comparison {
  const { variant, source, harmAlpha } = test;
  const { analysis } = input;
  const baseline = source.arm(input.counts, input.baseline) ?? { n: 0, bad: 0 };
  const challenger = source.arm(input.counts, variant) ?? { n: 0, bad: 0 };
  const comparison: Comparison = {
    variant,
    signal: source.name,
    baseline: withRate(baseline),
    challenger: withRate(challenger),
    verdict: 'insufficient',
  };
  if (baseline.n < analysis.min_samples || challenger.n < analysis.min_samples) return comparison;
  const arms = { baseline, variant: challenger };
  const harm = harmTest(arms, { alpha: harmAlpha, tau: analysis.tau });
  const nonInferior = nonInferiorityTest(arms, source.margin, { alpha: analysis.alpha, tau: analysis.tau });
  comparison.harm = view(harm, harmAlpha);
  comparison.non_inferiority = { ...view(nonInferior, analysis.alpha), margin: source.margin };
  comparison.verdict = harm.rejected ? 'harm' : nonInferior.rejected ? 'non_inferior' : 'undecided';
  return comparison;
}

export function evaluateCanary(input: EvaluationInput): Evaluation {
  const { analysis, challengers, sources } = input;
  const harmAlpha = analysis.alpha / Math.max(1, challengers.length * sources.length);
  const comparisons = challengers.flatMap((variant) => sources.map((source) => compare(input, { variant, source, harmAlpha })));
  const base = { at: input.now, latency_threshold_ms: input.latency?.thresholdMs ?? null, comparisons };
  const harmful = comparisons.find((comparison) => comparison.verdict === 'harm');
  if (harmful) {
    const rate = (arm: { rate: number }) => `${(arm.rate * 100).toFixed(1)}%`;
    return {
      ...base,
      decision: 'rollback',
      variant: harmful.variant,
      reason: `variant "${harmful.variant}" is worse on ${harmful.signal}: ${rate(harmful.challenger)} bad vs ${rate(harmful.baseline)} (Λ=${harmful.harm?.statistic.toFixed(1)} ≥ ${harmful.harm?.threshold.toFixed(1)})`,
    };
  }
  const only = challengers.length === 1 ? challengers[0] : undefined;
  if (only !== undefined && sources.length > 0 && comparisons.every((comparison) => comparison.verdict === 'non_inferior')) {
    return { ...base, decision: 'promote', variant: only, reason: `variant "${only}" is non-inferior on every signal` };
  }
  if (analysis.max_samples !== null) {
    const exhausted = challengers.find((variant) => (input.counts[variant]?.requests ?? 0) >= (analysis.max_samples ?? Infinity));
    if (exhausted !== undefined) {
      return {
        ...base,
        decision: 'rollback',
        variant: exhausted,
        reason: `variant "${exhausted}" reached max_samples (${analysis.max_samples}) without being shown non-inferior`,
      };
    }
  }
  return { ...base, decision: 'continue', reason: 'not enough evidence yet' };
}
