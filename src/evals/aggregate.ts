/**
 * A run's aggregates, per variant: the mean of every score with a bootstrap confidence interval,
 * the error rate, latency percentiles, tokens and cost. Computed from the stored results, so a
 * resumed run aggregates the items of all its attempts.
 */
import type { EvalResult, Store } from '../store/index.js';
import type { MeanInterval, RunSummary, VariantSummary } from '../core/index.js';
import { bootstrapMean, quantile } from './stats/bootstrap.js';
import { hashString } from './stats/random.js';

export type { RunSummary, VariantSummary };

interface Accumulator {
  items: number;
  errors: number;
  scores: Map<string, number[]>;
  latencies: number[];
  input: number;
  output: number;
  cost: number;
  costKnown: boolean;
}

/** Reads a run's results page by page (outputs left out) and groups them by variant. */
export async function collectResults(store: Store, runId: string, visit: (result: EvalResult) => void): Promise<void> {
  const pageSize = 5000;
  let afterIndex = -1;
  for (;;) {
    const page = await store.evals.listResults(runId, { afterIndex, limit: pageSize, withOutput: false });
    const lastIndex = page.at(-1)?.itemIndex ?? 0;
    // A full page may end in the middle of an item's variants: that item is read again with the next page.
    const complete = page.length < pageSize ? page : page.filter((result) => result.itemIndex < lastIndex);
    for (const result of complete.length === 0 ? page : complete) visit(result);
    if (page.length < pageSize || complete.length === 0) return;
    afterIndex = lastIndex - 1;
  }
}

export function summarise(input: {
  runId: string;
  experiment: string;
  seed: number;
  bootstrap: { iterations: number; confidence: number };
  variants: { name: string; model: string }[];
  results: Iterable<EvalResult>;
}): RunSummary {
  const accumulators = new Map<string, Accumulator>();
  for (const variant of input.variants) {
    accumulators.set(variant.name, {
      items: 0,
      errors: 0,
      scores: new Map(),
      latencies: [],
      input: 0,
      output: 0,
      cost: 0,
      costKnown: true,
    });
  }
  for (const result of input.results) {
    const accumulator = accumulators.get(result.variant);
    if (!accumulator) continue;
    accumulator.items++;
    accumulator.latencies.push(result.latencyMs);
    accumulator.input += result.inputTokens;
    accumulator.output += result.outputTokens;
    if (result.costUsd === null) accumulator.costKnown = false;
    else accumulator.cost += result.costUsd;
    if (result.status === 'error') {
      accumulator.errors++;
      continue;
    }
    for (const [key, value] of Object.entries(result.scores)) {
      let list = accumulator.scores.get(key);
      if (!list) accumulator.scores.set(key, (list = []));
      list.push(value);
    }
  }
  const variants = input.variants.map((variant): VariantSummary => {
    const accumulator = accumulators.get(variant.name)!;
    const scores: Record<string, MeanInterval> = {};
    for (const key of [...accumulator.scores.keys()].sort()) {
      const seed = (input.seed + hashString(`${variant.name}:${key}`)) >>> 0;
      scores[key] = bootstrapMean(accumulator.scores.get(key)!, { ...input.bootstrap, seed });
    }
    const latencies = accumulator.latencies.sort((a, b) => a - b);
    const latencyMean = latencies.length === 0 ? 0 : latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
    const cost = accumulator.costKnown ? accumulator.cost : null;
    return {
      variant: variant.name,
      model: variant.model,
      items: accumulator.items,
      errors: accumulator.errors,
      error_rate: accumulator.items === 0 ? 0 : accumulator.errors / accumulator.items,
      scores,
      latency_ms: { mean: latencyMean, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) },
      tokens: { input: accumulator.input, output: accumulator.output },
      cost_usd: cost,
      cost_per_item_usd: cost === null || accumulator.items === 0 ? null : cost / accumulator.items,
    };
  });
  return { run_id: input.runId, experiment: input.experiment, seed: input.seed, bootstrap: input.bootstrap, variants };
}
