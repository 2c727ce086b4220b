/**
 * chrF against sacrebleu's published test values, transcribed from mjpost/sacrebleu
 * `test/test_chrf.py` (corpus_chrf with char_order 6, word_order 0, beta 3; the published values
 * carry 4–8 decimals and that file's tolerance is 1e-4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetric } from './index.js';
import { separatePunctuation } from './chrf.js';

function chrf(predictions: string[], references: string[], options: Record<string, unknown>): number {
  const result = computeMetric({ metric: 'chrf', predictions, references: references.map((reference) => [reference]), options });
  return result.corpus.score ?? NaN;
}

function close(actual: number | undefined, expected: number, tolerance: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected} (±${tolerance})`);
}

const epsCases: Array<[string[], string[], number]> = [
  [['abcdefg'], ['hijklmnop'], 0.0],
  [['a'], ['b'], 0.0],
  [[''], ['b'], 0.0],
  [[''], ['ref'], 0.0],
  [[''], ['reference'], 0.0],
  [['aa'], ['ab'], 8.3333],
  [['a', 'b'], ['a', 'c'], 8.3333],
  [['a'], ['a'], 16.6667],
  [['a b c'], ['a b c'], 50.0],
  [['a b c'], ['abc'], 50.0],
  [
    [' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
    ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
    63.36173,
  ],
  [
    [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
    ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
    64.1302698,
  ],
  [['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100.0],
];

test('chrF with eps_smoothing equals test_chrf.py test_cases', () => {
  for (const [predictions, references, expected] of epsCases) {
    close(chrf(predictions, references, { char_order: 6, word_order: 0, beta: 3, eps_smoothing: true }), expected, 1e-4);
  }
});

test('chrF with effective order equals test_chrf.py test_cases_effective_order', () => {
  const cases: Array<[string[], string[], number]> = [
    [['a'], ['a'], 100.0],
    [[''], ['reference'], 0.0],
    [['a b c'], ['a b c'], 100.0],
    [['a b c'], ['abc'], 100.0],
    [[''], ['c'], 0.0],
    [['a', 'b'], ['a', 'c'], 50.0],
    [['aa'], ['ab'], 25.0],
  ];
  for (const [predictions, references, expected] of cases) {
    close(chrf(predictions, references, { char_order: 6, word_order: 0, beta: 3, eps_smoothing: false }), expected, 1e-6);
  }
});

test('chrF keeping whitespace equals test_chrf.py test_cases_keep_whitespace', () => {
  close(
    chrf(
      ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
      { beta: 3, whitespace: true },
    ),
    67.3481606,
    1e-4,
  );
  close(
    chrf(
      ['risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
      ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
      { beta: 3, whitespace: true },
    ),
    65.2414427,
    1e-4,
  );
});

test('sentence chrF with eps_smoothing equals test_chrf.py test_sentence_level_chrf (beta 2)', () => {
  const cases: Array<[string, string, number]> = [
    [
      'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
      'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.',
      39.14078509,
    ],
    [
      'Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.',
      'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.',
      31.22557079,
    ],
    [
      'Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
      'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.',
      57.15704367,
    ],
  ];
  for (const [prediction, reference, expected] of cases) {
    const result = computeMetric({
      metric: 'chrf',
      predictions: [prediction],
      references: [[reference]],
      options: { eps_smoothing: true },
    });
    close(result.items[0]?.score, expected, 1e-6);
  }
});

test('chrF++ adds word bigrams; punctuation is split off words as chrF++.py does', () => {
  assert.deepEqual(separatePunctuation('(hi) a, b. c'), ['(hi', ')', 'a', ',', 'b', '.', 'c']);
  const same = computeMetric({ metric: 'chrf++', predictions: ['the cat sat.'], references: [['the cat sat.']] });
  close(same.corpus.score, 100, 1e-9);
  assert.equal(same.signature, 'nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.4.3');
  const plain = computeMetric({ metric: 'chrf', predictions: ['the cat sat'], references: [['the cat sat on the mat']] });
  assert.equal(plain.signature, 'nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.4.3');
});

test('several references: the best-scoring one is used per item', () => {
  const single = computeMetric({ metric: 'chrf', predictions: ['a cat sat'], references: [['a cat sat']] });
  const multiple = computeMetric({ metric: 'chrf', predictions: ['a cat sat'], references: [['dogs run far', 'a cat sat']] });
  assert.equal(multiple.items[0]?.score, single.items[0]?.score);
});

test('characters are code points: astral characters count once', () => {
  const result = computeMetric({ metric: 'chrf', predictions: ['😀😃'], references: [['😀😃']] });
  close(result.corpus.score, 100, 1e-9);
  const half = computeMetric({ metric: 'chrf', predictions: ['😀'], references: [['😀😃']], options: { char_order: 1, beta: 1 } });
  // one of one hypothesis character matches, one of two reference characters: P=1, R=0.5
  close(half.corpus.score, (100 * 2 * 0.5) / 1.5, 1e-9);
});
