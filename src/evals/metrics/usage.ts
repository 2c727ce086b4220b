/**
 * Latency and cost: not text metrics but per-item measurements, summarised the same way so that
 * experiments and reports can put them beside quality. `summarise` is exported for callers that
 * hold the numbers already; the `latency` and `cost` metrics take them as options
 * (`latencies_ms`, `costs_usd`: one number per prediction).
 */
import { FenerError } from '../../core/index.js';
import type { MetricDefinition } from './types.js';
import { invalidOption } from './options.js';

export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  total: number;
}

/** The q-quantile with linear interpolation between closest ranks (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/** Count, mean, min, percentiles, max and total; all 0 for an empty list. */
export function summarise(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? 0 : total / sorted.length,
    min: sorted[0] ?? 0,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
    total,
  };
}

function usageMetric(name: 'latency' | 'cost', option: string, itemKey: string): MetricDefinition {
  return {
    name,
    options: [option],
    referencesOptional: true,
    measured: true,
    compute(predictions, _references, options) {
      const values = options[option];
      if (!Array.isArray(values) || !values.every((value) => typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
        throw invalidOption(option, 'must be an array of non-negative numbers, one per prediction');
      }
      if (values.length !== predictions.length) {
        throw new FenerError('invalid_request', `got ${predictions.length} predictions but ${values.length} ${option}`, {
          param: `options.${option}`,
        });
      }
      const summary = summarise(values as number[]);
      return { metric: name, corpus: { ...summary }, items: (values as number[]).map((value) => ({ [itemKey]: value })) };
    },
  };
}

export const latency = usageMetric('latency', 'latencies_ms', 'latency_ms');
export const cost = usageMetric('cost', 'costs_usd', 'cost_usd');
