import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addEncoded,
  addEncodedInto,
  addTo,
  binOf,
  denseHistogram,
  encodeHistogram,
  histogramBins,
  histogramRelativeError,
  percentiles,
  type Histogram,
} from './latency-histogram.js';

function exact(values: number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1]!;
}

test('percentiles from a histogram stay within the stated relative error of the exact value', () => {
  let seed = 3;
  const next = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  for (let round = 0; round < 50; round++) {
    const values = Array.from({ length: 1 + Math.floor(next() * 500) }, () => 0.1 * Math.exp(next() * 16));
    const histogram: Histogram = {};
    for (const value of values) addTo(histogram, value);
    const dense = denseHistogram();
    addEncodedInto(dense, encodeHistogram(histogram));
    const quantiles = [0.01, 0.5, 0.9, 0.95, 0.99, 1];
    const answers = percentiles(dense, quantiles);
    quantiles.forEach((quantile, index) => {
      const truth = exact(values, quantile);
      const answer = answers[index]!;
      assert.ok(Math.abs(answer - truth) <= (histogramRelativeError + 1e-6) * truth, `q${quantile}: ${answer} vs ${truth}`);
    });
  }
  assert.ok(histogramRelativeError < 0.05);
});

test('out-of-range values land in the first and last bins; an empty histogram has no percentiles', () => {
  assert.equal(binOf(0), 0);
  assert.equal(binOf(-5), 0);
  assert.equal(binOf(1e12), histogramBins - 1);
  assert.deepEqual(percentiles(denseHistogram(), [0.5, 0.99]), [null, null]);
});

test('encoded histograms merge by adding counts, in JSON or in Postgres jsonb text', () => {
  assert.deepEqual(JSON.parse(addEncoded('{"3":2,"7":1}', '{"7":4,"120":1}')), { 3: 2, 7: 5, 120: 1 });
  assert.deepEqual(JSON.parse(addEncoded(null, '{"1":1}')), { 1: 1 });
  const dense = denseHistogram();
  addEncodedInto(dense, '{"3": 2, "7": 10}');
  addEncodedInto(dense, '{"7":1}');
  addEncodedInto(dense, '{}');
  assert.deepEqual([dense[3], dense[7], dense[4]], [2, 11, 0]);
});
