/**
 * BLEU against sacrebleu's published test values. Inputs and expected scores are transcribed
 * from mjpost/sacrebleu `test/test_bleu.py` and `test/test_sentence_bleu.py`; where the published
 * value has fewer than six decimals the test uses that file's own tolerance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetric } from './index.js';
import { computeBleu, type SmoothMethod } from './bleu.js';

function close(actual: number | undefined, expected: number, tolerance: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected} (±${tolerance})`);
}

/** sacrebleu passes references as streams (one list per reference); we take one list per item. */
function byItem(streams: string[][]): string[][] {
  return (streams[0] ?? []).map((_, index) => streams.map((stream) => stream[index] ?? ''));
}

const refs = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

const corpusCases: Array<[string[], Record<string, unknown>, number]> = [
  [hyps, {}, 48.530827],
  [['', '', ''], {}, 0.0],
  [hyps, { tokenize: 'none' }, 49.1919566],
  [hyps, { tokenize: '13a' }, 48.530827],
  [hyps, { tokenize: 'intl' }, 43.91623493],
  [hyps, { smooth_method: 'none' }, 48.530827],
];

test('corpus BLEU equals test_bleu.py test_corpus_bleu_cases (1e-6)', () => {
  for (const [predictions, options, expected] of corpusCases) {
    const result = computeMetric({ metric: 'bleu', predictions, references: byItem(refs), options });
    close(result.corpus.score, expected, 1e-6);
  }
});

test('max_ngram_order equals test_bleu.py test_bleu_max_order (2 decimals, as published)', () => {
  const expected = ['77.65', '60.50', '53.93', '48.53', '46.14', '43.28'];
  expected.forEach((score, index) => {
    const result = computeMetric({ metric: 'bleu', predictions: hyps, references: byItem(refs), options: { max_ngram_order: index + 1 } });
    assert.equal(result.corpus.score?.toFixed(2), score);
  });
});

/** sacrebleu's `raw_corpus_bleu`: floor smoothing, no tokenization, effective order. */
function rawCorpusBleu(predictions: string[], streams: string[][], smoothValue?: number): number {
  const options: Record<string, unknown> = { smooth_method: 'floor', tokenize: 'none', effective_order: true };
  if (smoothValue !== undefined) options.smooth_value = smoothValue;
  return (computeMetric({ metric: 'bleu', predictions, references: byItem(streams), options }).corpus.score ?? NaN) / 100;
}

test('raw corpus BLEU equals test_raw_bleu_cases, test_case_effective_order and test_case_offset (1e-8)', () => {
  close(rawCorpusBleu(['this is a test', 'another test'], [['ref1', 'ref2']], 0.01), 0, 1e-8);
  close(rawCorpusBleu(['this is a test'], [['this is a test']], 0.01), 1, 1e-8);
  close(rawCorpusBleu(['this is a fest'], [['this is a test']], 0.01), 0.223606797749979, 1e-8);
  close(rawCorpusBleu(['test'], [['a test']], 0.01), 0.3678794411714425, 1e-8);
  close(rawCorpusBleu(['a test'], [['a test']], 0.01), 1, 1e-8);
  close(rawCorpusBleu(['a little test'], [['a test']], 0.01), 0.03218297948685433, 1e-8);
  const offsetHyp = ['am I am a character sequence'];
  const offsetRef = [['I am a symbol string sequence a a']];
  close(rawCorpusBleu(offsetHyp, offsetRef, 0), 0, 1e-8);
  close(rawCorpusBleu(offsetHyp, offsetRef), 0.1555722182, 1e-8);
});

test('statistics equal test_case_statistics', () => {
  const result = computeMetric({
    metric: 'bleu',
    predictions: ['am I am a character sequence'],
    references: [['I am a symbol string sequence a a']],
    options: { tokenize: 'none', smooth_method: 'floor', smooth_value: 0.01, effective_order: true },
  });
  // counts [4, 2, 1, 0] over totals [6, 5, 4, 3]
  close(result.corpus.precision_1, (100 * 4) / 6, 1e-9);
  close(result.corpus.precision_2, (100 * 2) / 5, 1e-9);
  close(result.corpus.precision_3, (100 * 1) / 4, 1e-9);
  close(result.corpus.precision_4, (100 * 0.01) / 3, 1e-9);
});

test('compute_bleu equals test_case_scoring and test_case_degenerate_stats', () => {
  const settings = { smoothMethod: 'none' as SmoothMethod, smoothValue: undefined, effectiveOrder: false, maxNgramOrder: 4 };
  const scored = computeBleu({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], sysLen: 11, refLen: 11 }, settings);
  close(scored.score / 100, 0.8375922397, 1e-8);
  const degenerate: Array<[number[], number[], number, number, number]> = [
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ];
  for (const [correct, total, sysLen, refLen, offset] of degenerate) {
    const score = computeBleu({ correct, total, sysLen, refLen }, { ...settings, smoothMethod: 'floor', smoothValue: offset });
    assert.equal(score.score, 0);
  }
});

// test_sentence_bleu.py: example from sacrebleu issue #98, sentence BLEU with effective order.
const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
const sentenceCases: Array<[string, number | undefined, boolean, string, number]> = [
  ['exp', undefined, false, '13a', 8.493],
  ['none', undefined, false, '13a', 0.0],
  ['floor', undefined, false, '13a', 4.51688],
  ['floor', 0.1, false, '13a', 4.51688],
  ['floor', 0.5, false, '13a', 10.1],
  ['add-k', undefined, false, '13a', 14.882],
  ['add-k', 1, false, '13a', 14.882],
  ['add-k', 2, false, '13a', 21.389],
  ['exp', undefined, false, 'none', 7.347],
  ['exp', undefined, false, 'intl', 8.493],
  ['exp', undefined, false, 'char', 40.8759],
  ['exp', undefined, true, 'char', 42.0267],
];

test('sentence BLEU equals test_sentence_bleu.py (1e-3, as published) in items and corpus', () => {
  for (const [smoothMethod, smoothValue, lowercase, tokenize, expected] of sentenceCases) {
    const options: Record<string, unknown> = { smooth_method: smoothMethod, lowercase, tokenize, effective_order: true };
    if (smoothValue !== undefined) options.smooth_value = smoothValue;
    const result = computeMetric({ metric: 'bleu', predictions: [SYS], references: [[REF]], options });
    close(result.items[0]?.score, expected, 1e-3);
    close(result.corpus.score, expected, 1e-3);
  }
  for (const smoothMethod of ['exp', 'none', 'floor', 'add-k']) {
    const result = computeMetric({
      metric: 'bleu',
      predictions: ['this is a cat'],
      references: [['okay thanks']],
      options: { smooth_method: smoothMethod },
    });
    assert.equal(result.items[0]?.score, 0);
  }
});

test('signature matches sacrebleu 2.x format', () => {
  const base = computeMetric({ metric: 'bleu', predictions: hyps, references: byItem(refs) });
  assert.equal(base.signature, 'nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.3');
  const floor = computeMetric({
    metric: 'bleu',
    predictions: ['a'],
    references: [['a', '']],
    options: { smooth_method: 'floor', lowercase: true, tokenize: 'intl' },
  });
  assert.equal(floor.signature, 'nrefs:1|case:lc|eff:no|tok:intl|smooth:floor[0.10]|version:2.4.3');
  const variable = computeMetric({
    metric: 'bleu',
    predictions: ['a', 'b'],
    references: [['a', 'x'], ['b']],
    options: { smooth_method: 'add-k', smooth_value: 2 },
  });
  assert.equal(variable.signature, 'nrefs:var|case:mixed|eff:no|tok:13a|smooth:add-k[2.00]|version:2.4.3');
});

test('empty hypotheses score 0, empty references are refused as sacrebleu refuses them', () => {
  const empty = computeMetric({ metric: 'bleu', predictions: [''], references: [['a reference']] });
  assert.equal(empty.corpus.score, 0);
  assert.equal(empty.items[0]?.score, 0);
  assert.throws(() => computeMetric({ metric: 'bleu', predictions: ['x'], references: [['']] }), /no non-empty reference/);
});

test('bad options are named', () => {
  assert.throws(
    () => computeMetric({ metric: 'bleu', predictions: ['x'], references: [['x']], options: { tokenise: '13a' } }),
    /unknown option 'tokenise'/,
  );
  assert.throws(
    () => computeMetric({ metric: 'bleu', predictions: ['x'], references: [['x']], options: { tokenize: 'spm' } }),
    /options\.tokenize must be one of/,
  );
  assert.throws(
    () => computeMetric({ metric: 'bleu', predictions: ['x'], references: [['x']], options: { smooth_value: 'high' } }),
    /options\.smooth_value must be a number/,
  );
});
