import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addEncodedInto,
  addTo,
  binOf,
  denseHistogram,
  encodeHistogram,
  histogramBins,
  histogramRelativeError,
  mergeEncoded,
  percentiles,
  percentilesOfEncoded,
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
    // The read path: the same answers from the encoded text, whole or as two halves joined by ','
    // (what the database's concatenation hands over), with the reused scratch histogram cleared.
    const half: Histogram = {};
    const rest: Histogram = {};
    values.forEach((value, index) => addTo(index % 2 === 0 ? half : rest, value));
    assert.deepEqual(percentilesOfEncoded([encodeHistogram(histogram)], quantiles), answers);
    assert.deepEqual(percentilesOfEncoded([`${encodeHistogram(half)},${encodeHistogram(rest)}`], quantiles), answers);
    assert.deepEqual(percentilesOfEncoded([encodeHistogram(rest), encodeHistogram(half)], quantiles), answers);
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
  assert.deepEqual(percentilesOfEncoded(['', ','], [0.5, 0.99]), [null, null]);
});

test('encoded histograms are compact, sorted by bin, and merge by adding counts', () => {
  const histogram: Histogram = {};
  addTo(histogram, 5_000, 2);
  addTo(histogram, 1);
  assert.equal(encodeHistogram(histogram), `${binOf(1)}:1,${binOf(5_000)}:2`);
  assert.equal(encodeHistogram({}), '');
  assert.equal(mergeEncoded('3:2,7:1', '7:4,120:1'), '3:2,7:5,120:1');
  assert.equal(mergeEncoded('10:1', '2:1,10:2,11:5'), '2:1,10:3,11:5');
  assert.equal(mergeEncoded(null, '1:1'), '1:1');
  assert.equal(mergeEncoded('', ''), '');
  const dense = denseHistogram();
  addEncodedInto(dense, '3:2,7:10');
  addEncodedInto(dense, '7:1');
  addEncodedInto(dense, '');
  assert.deepEqual([dense[3], dense[7], dense[4]], [2, 11, 0]);
});

test('merging encoded histograms equals encoding the merged counts', () => {
  let seed = 11;
  const next = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  for (let round = 0; round < 200; round++) {
    const a: Histogram = {};
    const b: Histogram = {};
    const both: Histogram = {};
    for (let i = Math.floor(next() * 40); i > 0; i--) {
      const value = 0.05 * Math.exp(next() * 18);
      const target = next() < 0.5 ? a : b;
      addTo(target, value);
      addTo(both, value);
    }
    assert.equal(mergeEncoded(encodeHistogram(a), encodeHistogram(b)), encodeHistogram(both));
  }
});
