/**
 * Scores of one output: each configured metric on the single (prediction, references) pair, and
 * each judge. Metric results arrive as records of named numbers; they are flattened into one
 * record per item whose keys are what gates and comparisons name (`exact_match`, `rougeL`,
 * `bleu`, `judge.helpfulness`…).
 */
import { computeMetric } from './metrics/index.js';
import type { MetricSpec } from './definition.js';

/**
 * A metric's own key where it is specific (`rougeL_fmeasure`, `exact_match`); a generic `score`
 * becomes the metric's name (`bleu`), and a key another metric already gave is prefixed by its metric.
 */
export function scoreKey(metric: string, key: string, taken: ReadonlySet<string>): string {
  const base = key === 'score' ? metric : key;
  return taken.has(base) ? `${metric}.${key}` : base;
}

export function mergeScores(target: Record<string, number>, metric: string, scores: Record<string, number>): void {
  const taken = new Set(Object.keys(target));
  for (const [key, value] of Object.entries(scores)) {
    // A report never carries NaN: a score a metric could not define is left out of the item.
    if (Number.isFinite(value)) target[scoreKey(metric, key, taken)] = value;
  }
}

/** Per-item scores of every metric; throws the metric's `invalid_request` (unknown metric or option, missing references). */
export function scoreMetrics(metrics: readonly MetricSpec[], output: string, expected: readonly string[]): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const spec of metrics) {
    const result = computeMetric({
      metric: spec.metric,
      predictions: [output],
      references: expected.length === 0 ? [] : [[...expected]],
      options: spec.options,
    });
    mergeScores(scores, spec.metric, result.items[0] ?? {});
  }
  return scores;
}

/** Checks metric names and options once, on a dummy pair, so a typo fails before any model is called. */
export function checkMetrics(metrics: readonly MetricSpec[]): void {
  for (const spec of metrics) computeMetric({ metric: spec.metric, predictions: ['a'], references: [['a']], options: spec.options });
}
