import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FenerError } from '../../core/index.js';
import { computeMetric, metricNames } from './index.js';
import { normaliseAnswer } from './token-f1.js';
import { quantile } from './usage.js';

function close(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
}

test('metricNames lists every metric', () => {
  assert.deepEqual([...metricNames].sort(), [
    'bleu',
    'chrf',
    'chrf++',
    'contains',
    'cost',
    'embedding_cosine',
    'exact_match',
    'json_schema',
    'json_valid',
    'latency',
    'length',
    'regex',
    'rouge',
    'token_f1',
  ]);
});

test('request checks: unknown metric, mismatched counts, empty reference lists, non-strings', () => {
  assert.throws(() => computeMetric({ metric: 'meteor', predictions: [], references: [] }), /unknown metric 'meteor'/);
  assert.throws(
    () => computeMetric({ metric: 'bleu', predictions: ['a', 'b'], references: [['a']] }),
    /got 2 predictions but 1 reference lists/,
  );
  assert.throws(() => computeMetric({ metric: 'rouge', predictions: ['a'], references: [[]] }), /references\[0\] is empty/);
  assert.throws(
    () => computeMetric({ metric: 'exact_match', predictions: [1 as unknown as string], references: [['1']] }),
    /predictions must be an array of strings/,
  );
  assert.throws(
    () => computeMetric({ metric: 'exact_match', predictions: ['a'], references: [['a']], options: { strp: true } }),
    /unknown option 'strp' for metric exact_match; known: strip, lowercase/,
  );
});

test('exact_match strips by default and may ignore case', () => {
  const result = computeMetric({
    metric: 'exact_match',
    predictions: [' Paris ', 'paris', 'Lyon'],
    references: [['Paris'], ['Paris'], ['Paris', 'Lyon']],
  });
  assert.deepEqual(
    result.items.map((item) => item.exact_match),
    [1, 0, 1],
  );
  close(result.corpus.exact_match, 2 / 3);
  const folded = computeMetric({ metric: 'exact_match', predictions: ['paris'], references: [['Paris']], options: { lowercase: true } });
  assert.equal(folded.corpus.exact_match, 1);
});

test('token_f1 uses SQuAD normalisation and the best reference', () => {
  assert.equal(normaliseAnswer('The  Eiffel Tower!'), 'eiffel tower');
  assert.equal(normaliseAnswer('an apple, a pear'), 'apple pear');
  assert.equal(normaliseAnswer('théâtre'), 'théâtre');
  const result = computeMetric({
    metric: 'token_f1',
    predictions: ['the Eiffel tower in Paris', '', 'nothing'],
    references: [['Eiffel Tower', 'a tower'], ['the'], ['something else']],
  });
  // 2 shared tokens; precision 2/4, recall 2/2
  close(result.items[0]?.token_f1, (2 * 0.5 * 1) / 1.5);
  assert.equal(result.items[1]?.token_f1, 1); // both normalise to nothing: equal
  assert.equal(result.items[2]?.token_f1, 0);
  assert.equal(result.items[1]?.exact_match, 1);
});

test('regex patterns with nested repetition are refused before they run', () => {
  for (const pattern of ['(a+)+$', '^(\\w+\\s?)*$', '(x+x+)+y']) {
    assert.throws(
      () => computeMetric({ metric: 'regex', predictions: ['a'.repeat(40) + '!'], references: [], options: { pattern } }),
      (error: unknown) => error instanceof FenerError && error.code === 'invalid_request' && /nested repetition/.test(error.message),
      pattern,
    );
  }
});

test('contains and regex', () => {
  const found = computeMetric({ metric: 'contains', predictions: ['The answer is 42.', 'no'], references: [['42'], ['yes']] });
  assert.deepEqual(
    found.items.map((item) => item.contains),
    [1, 0],
  );
  const matched = computeMetric({ metric: 'regex', predictions: ['Order #123', 'none'], references: [], options: { pattern: '#\\d+' } });
  assert.deepEqual(
    matched.items.map((item) => item.regex),
    [1, 0],
  );
  const folded = computeMetric({ metric: 'regex', predictions: ['YES'], references: [], options: { pattern: '^yes$', flags: 'i' } });
  assert.equal(folded.corpus.regex, 1);
  assert.throws(() => computeMetric({ metric: 'regex', predictions: ['x'], references: [] }), /options\.pattern is required/);
  assert.throws(
    () => computeMetric({ metric: 'regex', predictions: ['x'], references: [], options: { pattern: '(' } }),
    /not a valid regular expression/,
  );
  assert.throws(
    () => computeMetric({ metric: 'regex', predictions: ['x'], references: [], options: { pattern: 'x', flags: 'g' } }),
    /options\.flags/,
  );
});

test('json_valid and json_schema (draft-07 and 2020-12)', () => {
  const valid = computeMetric({ metric: 'json_valid', predictions: ['{"a":1}', '{a:1}', '[]'], references: [] });
  assert.deepEqual(
    valid.items.map((item) => item.json_valid),
    [1, 0, 1],
  );
  const schema = { type: 'object', properties: { score: { type: 'number', minimum: 0 } }, required: ['score'] };
  const conform = computeMetric({
    metric: 'json_schema',
    predictions: ['{"score": 3}', '{"score": -1}', 'oops'],
    references: [],
    options: { schema },
  });
  assert.deepEqual(conform.items, [
    { json_valid: 1, json_schema: 1 },
    { json_valid: 1, json_schema: 0 },
    { json_valid: 0, json_schema: 0 },
  ]);
  const modern = computeMetric({
    metric: 'json_schema',
    predictions: ['[1, "a"]', '[1, 2]'],
    references: [],
    options: { schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'number' }, { type: 'string' }] } },
  });
  assert.deepEqual(
    modern.items.map((item) => item.json_schema),
    [1, 0],
  );
  assert.throws(
    () => computeMetric({ metric: 'json_schema', predictions: ['{}'], references: [], options: { schema: { type: 'nonsense' } } }),
    /not a valid JSON Schema/,
  );
  assert.throws(() => computeMetric({ metric: 'json_schema', predictions: ['{}'], references: [] }), /options\.schema is required/);
});

test('embedding_cosine takes caller vectors, best reference, zero vectors score 0', () => {
  const result = computeMetric({
    metric: 'embedding_cosine',
    predictions: ['a', 'b'],
    references: [],
    options: {
      prediction_embeddings: [
        [1, 0],
        [0, 0],
      ],
      reference_embeddings: [
        [
          [0, 1],
          [1, 1],
        ],
        [[1, 0]],
      ],
    },
  });
  close(result.items[0]?.embedding_cosine, 1 / Math.SQRT2);
  assert.equal(result.items[1]?.embedding_cosine, 0);
  assert.throws(
    () =>
      computeMetric({
        metric: 'embedding_cosine',
        predictions: ['a'],
        references: [],
        options: { prediction_embeddings: [[1, 0]], reference_embeddings: [[[1, 0, 0]]] },
      }),
    /2 dimensions but a reference embedding has 3/,
  );
  assert.throws(
    () =>
      computeMetric({
        metric: 'embedding_cosine',
        predictions: ['a'],
        references: [],
        options: { prediction_embeddings: [], reference_embeddings: [] },
      }),
    /give one of each per item/,
  );
});

test('length counts code points, words and tokens', () => {
  const result = computeMetric({ metric: 'length', predictions: ['hello world', '😀 ok', ''], references: [] });
  assert.deepEqual(
    result.items.map((item) => [item.chars, item.words]),
    [
      [11, 2],
      [4, 2],
      [0, 0],
    ],
  );
  assert.equal(result.items[0]?.tokens, 2);
  assert.equal(result.items[2]?.tokens, 0);
});

test('latency and cost summaries', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  const result = computeMetric({
    metric: 'latency',
    predictions: ['a', 'b', 'c', 'd'],
    references: [],
    options: { latencies_ms: [100, 200, 300, 400] },
  });
  assert.equal(result.corpus.p50, 250);
  assert.equal(result.corpus.mean, 250);
  close(result.corpus.p90, 370);
  const spent = computeMetric({ metric: 'cost', predictions: ['a'], references: [], options: { costs_usd: [0.25] } });
  assert.equal(spent.corpus.total, 0.25);
  assert.throws(
    () => computeMetric({ metric: 'cost', predictions: ['a', 'b'], references: [], options: { costs_usd: [1] } }),
    /got 2 predictions but 1 costs_usd/,
  );
});
