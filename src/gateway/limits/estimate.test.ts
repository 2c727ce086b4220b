import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultMaxOutputTokens, estimateCost } from './estimate.js';

const price = { input_per_mtok: 2, output_per_mtok: 10, cached_input_per_mtok: 0.5 };

test('the estimate is an upper bound: the request cap, else the model cap, else 4,096 output tokens', () => {
  assert.equal(estimateCost({ inputTokens: 1000, maxOutputTokens: 500, modelMaxOutputTokens: 8000, price }), (1000 * 2 + 500 * 10) / 1e6);
  assert.equal(estimateCost({ inputTokens: 1000, modelMaxOutputTokens: 8000, price }), (1000 * 2 + 8000 * 10) / 1e6);
  assert.equal(defaultMaxOutputTokens, 4096);
  assert.equal(estimateCost({ inputTokens: 1000, price }), (1000 * 2 + 4096 * 10) / 1e6);
  assert.equal(estimateCost({ inputTokens: 0, maxOutputTokens: 0, price }), 0);
  assert.equal(estimateCost({ inputTokens: 1_000_000, maxOutputTokens: 0, price: { input_per_mtok: 0, output_per_mtok: 0 } }), 0);
});
