/**
 * ROUGE against rouge-score's published tests, transcribed from google-research/google-research
 * `rouge/rouge_scorer_test.py` and `rouge/tokenize_test.py`. Values "against ROUGE-1.5.5" are
 * published to 5 decimals (assertAlmostEqual places=5, i.e. within 5e-6); exact fractions to 1e-9.
 * The Porter stemmer is checked against NLTK's `nltk/test/stem.doctest` examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetric } from './index.js';
import { rougeTokenize } from './rouge-tokenize.js';
import { scoreRouge, type RougeSettings } from './rouge.js';
import { lcsIndices, summaryLevelLcs } from './rouge-lcs.js';
import { porterStem } from './porter-stemmer.js';
import { predictionMulti, predictions, targetMulti, targets } from './rouge-testdata.js';

function close(actual: number | undefined, expected: number, tolerance: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected} (±${tolerance})`);
}

function score(target: string, prediction: string, rougeType: string, useStemmer = false) {
  const settings: RougeSettings = { rougeTypes: [rougeType], useStemmer, splitSummaries: false };
  const result = scoreRouge(target, prediction, settings)[rougeType];
  assert.ok(result);
  return result;
}

function expectScore(
  actual: { precision: number; recall: number; fmeasure: number },
  expected: [number, number, number],
  tolerance: number,
): void {
  close(actual.precision, expected[0], tolerance);
  close(actual.recall, expected[1], tolerance);
  close(actual.fmeasure, expected[2], tolerance);
}

test('tokenize_test.py', () => {
  assert.deepEqual(rougeTokenize('one Two three', false), ['one', 'two', 'three']);
  assert.deepEqual(rougeTokenize('one\n Two \nthree', false), ['one', 'two', 'three']);
});

test('testRouge1, testRouge2, testRougeLConsecutive, testRougeLNonConsecutive, testRougeEmpty', () => {
  expectScore(score('testing one two', 'testing', 'rouge1'), [1, 1 / 3, 1 / 2], 1e-9);
  expectScore(score('testing one two', 'testing one', 'rouge2'), [1, 1 / 2, 2 / 3], 1e-9);
  expectScore(score('testing one two', 'testing one', 'rougeL'), [1, 2 / 3, 4 / 5], 1e-9);
  expectScore(score('testing one two', 'testing two', 'rougeL'), [1, 2 / 3, 4 / 5], 1e-9);
  for (const rougeType of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'])
    expectScore(score('testing one two', '', rougeType), [0, 0, 0], 1e-9);
});

test('testValidRougeTypes and testInvalidRougeTypes', () => {
  for (const rougeType of ['rouge1', 'rouge9', 'rougeL', 'rougeLsum']) {
    const result = computeMetric({
      metric: 'rouge',
      predictions: ['testing'],
      references: [['testing one two']],
      options: { rouge_types: [rougeType] },
    });
    assert.deepEqual(Object.keys(result.items[0] ?? {}), [`${rougeType}_precision`, `${rougeType}_recall`, `${rougeType}_fmeasure`]);
  }
  for (const rougeType of ['rougen', 'rouge0', 'rouge10']) {
    assert.throws(
      () =>
        computeMetric({
          metric: 'rouge',
          predictions: ['testing'],
          references: [['testing one two']],
          options: { rouge_types: [rougeType] },
        }),
      /options\.rouge_types has an invalid rouge type/,
    );
  }
});

test('against ROUGE-1.5.5: rouge1, rouge2, rougeL with and without stemming (5 decimals)', () => {
  const [t0, t1] = targets as [string, string];
  const [p0, p1] = predictions as [string, string];
  // Published as (recall, precision, fmeasure); expectScore takes (precision, recall, fmeasure).
  expectScore(score(t0, p0, 'rouge1'), [0.6875, 0.40741, 0.51163], 5e-6);
  expectScore(score(t1, p1, 'rouge1'), [0.65385, 0.40476, 0.5], 5e-6);
  expectScore(score(t0, p0, 'rouge1', true), [0.6875, 0.40741, 0.51163], 5e-6);
  expectScore(score(t1, p1, 'rouge1', true), [0.69231, 0.42857, 0.52941], 5e-6);
  expectScore(score(t0, p0, 'rouge2'), [0.53333, 0.30769, 0.39024], 5e-6);
  expectScore(score(t1, p1, 'rouge2'), [0.48, 0.29268, 0.36364], 5e-6);
  expectScore(score(t0, p0, 'rouge2', true), [0.53333, 0.30769, 0.39024], 5e-6);
  expectScore(score(t1, p1, 'rouge2', true), [0.48, 0.29268, 0.36364], 5e-6);
  expectScore(score(t0, p0, 'rougeL'), [0.6875, 0.40741, 0.51163], 5e-6);
  expectScore(score(t1, p1, 'rougeL'), [0.65385, 0.40476, 0.5], 5e-6);
  // The exact fractions behind the first published triple: 11 of 16 and 11 of 27 unigrams.
  expectScore(score(t0, p0, 'rouge1'), [11 / 16, 11 / 27, (2 * 11) / (16 + 27)], 1e-12);
});

test('testRougeLSumAgainstRouge155WithStemming (5 decimals)', () => {
  expectScore(score(targetMulti, predictionMulti, 'rougeLsum', true), [0.66667, 0.36538, 0.47205], 5e-6);
});

test('testLcsTable, testUnionLcs, testSummaryLevelLcs, testRougeLsum', () => {
  assert.deepEqual(lcsIndices([1, 2, 3, 4, 5], [2, 5, 3, 4]), [1, 2, 3]);
  assert.deepEqual(lcsIndices([1, 2, 3, 4, 5], [8, 9]), []);
  const summary = summaryLevelLcs(
    [[1, 2, 3, 4, 5]],
    [
      [1, 2, 6, 7, 8],
      [1, 3, 8, 9, 5],
    ],
  );
  assert.equal(summary.recall, 0.8);
  assert.equal(summary.precision, 0.4);
  close(summary.fmeasure, 0.5333, 1e-3);
  assert.equal(summaryLevelLcs([[1]], [[]]).recall, 0);
  expectScore(score('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', 'rougeLsum'), [0.4, 0.8, 0.5333], 1e-3);
  expectScore(score('w1 w2 w3 w4 w5', '', 'rougeLsum'), [0, 0, 0], 1e-9);
  expectScore(score('', 'w1', 'rougeLsum'), [0, 0, 0], 1e-9);
  expectScore(score('w1 w2 w3 w4 w5', '/', 'rougeLsum'), [0, 0, 0], 1e-9);
});

test('score_multi takes the reference with the best F-measure; corpus is the mean of items', () => {
  const result = computeMetric({
    metric: 'rouge',
    predictions: ['testing one', 'a b'],
    references: [['unrelated words', 'testing one two'], ['a b']],
    options: { rouge_types: ['rouge1'] },
  });
  close(result.items[0]?.rouge1_fmeasure, 4 / 5, 1e-12);
  close(result.items[1]?.rouge1_fmeasure, 1, 1e-12);
  close(result.corpus.rouge1_fmeasure, (4 / 5 + 1) / 2, 1e-12);
  close(result.corpus.rouge1_recall, (2 / 3 + 1) / 2, 1e-12);
});

test('non-Latin text has no rouge-score tokens and scores 0, never NaN', () => {
  const result = computeMetric({ metric: 'rouge', predictions: ['猫が座った'], references: [['猫が座った']] });
  for (const value of Object.values(result.corpus)) assert.equal(value, 0);
});

// The doctest line is NLTK's published output; the word list after it takes the step examples of
// nltk/stem/porter.py's docstrings and checks their full stems, worked out by hand through all steps.
test('Porter stemmer: nltk/test/stem.doctest and the paper examples in nltk/stem/porter.py', () => {
  const plurals =
    'caresses flies dies mules denied died agreed owned humbled sized meeting stating siezing itemization sensational traditional reference colonizer plotted';
  const singles = 'caress fli die mule deni die agre own humbl size meet state siez item sensat tradit refer colon plot';
  assert.equal(plurals.split(' ').map(porterStem).join(' '), singles);
  assert.equal(porterStem('oed'), 'o');
  const paper: Array<[string, string]> = [
    ['caress', 'caress'],
    ['cats', 'cat'],
    ['feed', 'feed'],
    ['plastered', 'plaster'],
    ['motoring', 'motor'],
    ['sing', 'sing'],
    ['conflated', 'conflat'],
    ['troubled', 'troubl'],
    ['hopping', 'hop'],
    ['tanned', 'tan'],
    ['falling', 'fall'],
    ['hissing', 'hiss'],
    ['fizzed', 'fizz'],
    ['failing', 'fail'],
    ['filing', 'file'],
    ['happy', 'happi'],
    ['sky', 'sky'],
    ['relational', 'relat'],
    ['conditional', 'condit'],
    ['rational', 'ration'],
    ['digitizer', 'digit'],
    ['triplicate', 'triplic'],
    ['formative', 'form'],
    ['formalize', 'formal'],
    ['electrical', 'electr'],
    ['hopeful', 'hope'],
    ['goodness', 'good'],
    ['revival', 'reviv'],
    ['allowance', 'allow'],
    ['inference', 'infer'],
    ['airliner', 'airlin'],
    ['adjustable', 'adjust'],
    ['defensible', 'defens'],
    ['irritant', 'irrit'],
    ['replacement', 'replac'],
    ['adjustment', 'adjust'],
    ['dependent', 'depend'],
    ['adoption', 'adopt'],
    ['communism', 'commun'],
    ['activate', 'activ'],
    ['effective', 'effect'],
    ['bowdlerize', 'bowdler'],
    ['probate', 'probat'],
    ['rate', 'rate'],
    ['cease', 'ceas'],
    ['controll', 'control'],
    ['roll', 'roll'],
    ['generously', 'gener'],
    ['enjoy', 'enjoy'],
  ];
  for (const [word, stem] of paper) assert.equal(porterStem(word), stem, word);
});
