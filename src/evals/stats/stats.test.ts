import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averageRanks, cohenKappa, spearman } from './agreement.js';
import { bootstrapMean, pairedBootstrap, quantile, variance } from './bootstrap.js';
import { paretoFront } from './pareto.js';
import { seededRandom } from './random.js';

const close = (actual: number | null, expected: number, tolerance = 1e-9): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${String(actual)}`);
};

test('Cohen kappa matches the textbook examples (Wikipedia; Artstein & Poesio 2008, as in scikit-learn tests)', () => {
  // Wikipedia: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → κ = 0.4.
  const a = [...Array(25).fill('yes'), ...Array(25).fill('no')] as string[];
  const b = [...Array(20).fill('yes'), ...Array(5).fill('no'), ...Array(10).fill('yes'), ...Array(15).fill('no')] as string[];
  close(cohenKappa(a, b), 0.4);
  const y1 = [...Array(40).fill(0), ...Array(60).fill(1)] as number[];
  const y2 = [...Array(50).fill(0), ...Array(50).fill(1)] as number[];
  close(cohenKappa(y1, y2), 0.8, 1e-4);
  const z1 = [...Array(46).fill(0), ...Array(44).fill(1), ...Array(10).fill(2)] as number[];
  const z2 = [...Array(50).fill(0), ...Array(40).fill(1), ...Array(10).fill(2)] as number[];
  close(cohenKappa(z1, z2), 0.9315, 1e-4);
  close(cohenKappa(z1, z2, { weights: 'linear' }), 0.9412, 1e-4);
  close(cohenKappa(z1, z2, { weights: 'quadratic' }), 0.9541, 1e-4);
});

test('Cohen kappa: perfect, undefined and bad input', () => {
  close(cohenKappa([1, 2, 3], [1, 2, 3]), 1);
  assert.equal(cohenKappa(['a', 'a'], ['a', 'a']), null);
  assert.throws(() => cohenKappa([1], [1, 2]), /different numbers/);
  assert.throws(() => cohenKappa([1, 9], [1, 2], { labels: [1, 2] }), /not among the labels/);
  // Numeric labels order numerically (10 after 9), which matters for weights.
  close(cohenKappa([9, 10, 10], [9, 10, 9], { weights: 'linear' }), cohenKappa([0, 1, 1], [0, 1, 0], { weights: 'linear' })!);
});

test('Spearman rho equals scipy.stats.spearmanr, ties by average ranks', () => {
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233, 1e-12);
  close(spearman([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 6, 6]), 0.9007775105401477, 1e-12);
  close(spearman([10, 20, 20, 30], [3.5, 1.0, 1.0, 9.0]), 0.3333333333333334, 1e-12);
  assert.deepEqual(averageRanks([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
  assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
});

test('bootstrap interval: seeded, covers the mean, about the normal-theory width', () => {
  const random = seededRandom(7);
  const values = Array.from({ length: 400 }, () => random());
  const first = bootstrapMean(values, { seed: 1, iterations: 2000 });
  assert.deepEqual(bootstrapMean(values, { seed: 1, iterations: 2000 }), first);
  assert.notDeepEqual(bootstrapMean(values, { seed: 2, iterations: 2000 }), first);
  assert.ok(first.low < first.mean && first.mean < first.high);
  const standardError = Math.sqrt(variance(values) / values.length);
  const width = first.high - first.low;
  assert.ok(Math.abs(width / (2 * 1.96 * standardError) - 1) < 0.15, `width ${width} vs ${2 * 1.96 * standardError}`);
  assert.deepEqual(bootstrapMean([0.5, 0.5, 0.5]), { mean: 0.5, low: 0.5, high: 0.5, n: 3 });
  assert.deepEqual(bootstrapMean([]), { mean: 0, low: 0, high: 0, n: 0 });
  assert.throws(() => bootstrapMean([1], { confidence: 1 }), /confidence/);
});

test('paired bootstrap: a consistent gain is significant, noise is not, identical runs tie', () => {
  const random = seededRandom(3);
  const baseline = Array.from({ length: 200 }, () => random());
  const better = baseline.map((value) => value + 0.05 + (random() - 0.5) * 0.02);
  const gain = pairedBootstrap(baseline, better, { seed: 5 });
  assert.ok(gain.low > 0 && gain.pValue < 0.01 && gain.wins === 200, JSON.stringify(gain));
  close(gain.meanDifference, better.reduce((s, v) => s + v, 0) / 200 - baseline.reduce((s, v) => s + v, 0) / 200, 1e-12);
  const noisy = baseline.map((value) => value + (random() - 0.5) * 0.2);
  const noise = pairedBootstrap(baseline, noisy, { seed: 5 });
  assert.ok(noise.low < 0 && noise.high > 0 && noise.pValue > 0.05, JSON.stringify(noise));
  const same = pairedBootstrap(baseline, baseline);
  assert.equal(same.meanDifference, 0);
  assert.equal(same.pValue, 1);
  assert.equal(same.ties, 200);
  assert.throws(() => pairedBootstrap([1], [1, 2]), /differ in length/);
});

test('quantile interpolates like numpy', () => {
  close(quantile([1, 2, 3, 4], 0.5), 2.5);
  close(quantile([1, 2, 3, 4], 0.025), 1.075);
});

test('Pareto front keeps exactly the undominated candidates', () => {
  const front = paretoFront([
    { name: 'cheap', quality: 0.6, cost: 1, latency: 100 },
    { name: 'best', quality: 0.9, cost: 10, latency: 300 },
    { name: 'dominated', quality: 0.55, cost: 2, latency: 150 },
    { name: 'fast', quality: 0.5, cost: 5, latency: 50 },
    { name: 'twin-of-cheap', quality: 0.6, cost: 1, latency: 100 },
  ]);
  assert.deepEqual(front, ['cheap', 'best', 'fast', 'twin-of-cheap']);
});
