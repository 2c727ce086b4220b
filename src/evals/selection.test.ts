import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary, VariantSummary } from './aggregate.js';
import { selectModel } from './selection.js';

function candidate(name: string, quality: number, cost: number | null, p95: number): VariantSummary {
  return {
    variant: name,
    model: `model-${name}`,
    items: 10,
    errors: 0,
    error_rate: 0,
    scores: { exact_match: { mean: quality, low: quality - 0.05, high: quality + 0.05, n: 10 } },
    latency_ms: { mean: p95 / 2, p50: p95 / 2, p95 },
    tokens: { input: 1, output: 1 },
    cost_usd: cost === null ? null : cost * 10,
    cost_per_item_usd: cost,
  };
}

const summary: RunSummary = {
  run_id: 'run_x',
  experiment: 'pick',
  seed: 0,
  bootstrap: { iterations: 1000, confidence: 0.95 },
  variants: [
    candidate('large', 0.92, 0.01, 900),
    candidate('small', 0.85, 0.001, 300),
    candidate('medium', 0.8, 0.005, 500),
    candidate('local', 0.7, 0, 1200),
  ],
};
const licences = new Map([
  ['model-large', 'proprietary'],
  ['model-small', 'proprietary'],
  ['model-medium', 'apache-2.0'],
  ['model-local', 'mit'],
]);

test('Pareto front and best-quality recommendation without a quality floor', () => {
  const selection = selectModel(summary, { quality: 'exact_match' }, licences);
  assert.deepEqual(selection.pareto, ['large', 'small', 'local']);
  assert.equal(selection.rows.find((row) => row.variant === 'medium')!.pareto, false, 'small is better, cheaper and faster');
  assert.equal(selection.recommendation, 'large');
});

test('with a quality floor the cheapest eligible candidate wins; constraints explain refusals', () => {
  assert.equal(selectModel(summary, { quality: 'exact_match', minQuality: 0.8 }, licences).recommendation, 'small');
  const open = selectModel(summary, { quality: 'exact_match', minQuality: 0.75, licences: ['mit', 'apache-2.0'] }, licences);
  assert.equal(open.recommendation, 'medium');
  assert.deepEqual(open.rows.find((row) => row.variant === 'small')!.reasons, ['licence "proprietary" not allowed']);
  const tight = selectModel(summary, { quality: 'exact_match', maxCostPerItemUsd: 0.002, maxLatencyP95Ms: 1000 }, licences);
  assert.equal(tight.recommendation, 'small');
  assert.deepEqual(tight.rows.find((row) => row.variant === 'local')!.reasons, ['latency p95 1200 ms > 1000 ms']);
  const none = selectModel(summary, { quality: 'exact_match', minQuality: 0.99 }, licences);
  assert.equal(none.recommendation, null);
  assert.equal(none.explanation, 'no candidate meets every constraint');
  assert.deepEqual(selectModel(summary, { quality: 'bleu' }, licences).rows[0]!.reasons, ['no score "bleu"']);
});
