/**
 * chrF and chrF++ exactly as sacrebleu 2.4.3 computes them (`metrics/chrf.py`): character
 * n-grams (whitespace removed unless `whitespace`), optional word n-grams (`word_order`, 2 for
 * chrF++), the best-scoring reference per item, and effective-order or epsilon smoothing.
 */
import type { MetricDefinition } from './types.js';
import { optionBoolean, optionNumber } from './options.js';
import { isSingleUnit, pyRemoveWhitespace, pySplit } from './python-text.js';
import { addInto, formatSignature, referenceCount, usableReferences } from './sacrebleu-common.js';

export interface ChrfSettings {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

/**
 * The n-grams of one order as a sorted list of keys: counting matches is then a merge of two
 * sorted lists (each equal pair is one clipped match), which is what `Counter` intersection
 * computes, without building hash maps.
 */
type SortedNgrams = Float64Array | string[];
type NgramCounts = SortedNgrams[];

/** Code points of the text chrF counts (whitespace removed unless `includeWhitespace`). */
function charCodes(line: string, includeWhitespace: boolean): number[] {
  const text = includeWhitespace ? line : pyRemoveWhitespace(line);
  const codes: number[] = [];
  if (isSingleUnit(text)) {
    for (let index = 0; index < text.length; index += 1) codes.push(text.charCodeAt(index));
  } else {
    for (const character of text) codes.push(character.codePointAt(0) as number);
  }
  return codes;
}

/**
 * Character n-grams per order. An n-gram's key is its code points read as digits in base `base`
 * (one more than the largest code point of the item), exact while base^n < 2^52; longer n-grams
 * of wide alphabets use the n-gram text. Hypothesis and references of one item share `base`.
 */
function charNgrams(codes: readonly number[], maxOrder: number, base: number): NgramCounts {
  const numericOrders = Math.min(maxOrder, Math.floor(52 / Math.log2(Math.max(base, 2))));
  const numeric = Array.from({ length: numericOrders }, (_, index) => new Float64Array(Math.max(0, codes.length - index)));
  // One pass: the key of an n-gram is the key of its first n-1 code points times base, plus the n-th.
  for (let start = 0; start < codes.length; start += 1) {
    let key = 0;
    const limit = Math.min(numericOrders, codes.length - start);
    for (let n = 0; n < limit; n += 1) {
      key = key * base + (codes[start + n] as number);
      (numeric[n] as Float64Array)[start] = key;
    }
  }
  const result: NgramCounts = numeric.map((keys) => keys.sort());
  for (let n = numericOrders + 1; n <= maxOrder; n += 1) {
    const keys: string[] = [];
    for (let start = 0; start + n <= codes.length; start += 1) keys.push(String.fromCodePoint(...codes.slice(start, start + n)));
    result.push(keys.sort());
  }
  return result;
}

const punctuation = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/** `_remove_punctuation`: splits one leading or trailing ASCII punctuation mark off each word. */
export function separatePunctuation(sentence: string): string[] {
  const words: string[] = [];
  for (const word of pySplit(sentence)) {
    if (word.length === 1 || (word.length === 2 && !isSingleUnit(word))) {
      words.push(word);
    } else if (punctuation.has(word.slice(-1))) {
      words.push(word.slice(0, -1), word.slice(-1));
    } else if (punctuation.has(word.slice(0, 1))) {
      words.push(word.slice(0, 1), word.slice(1));
    } else {
      words.push(word);
    }
  }
  return words;
}

function wordNgrams(words: readonly string[], n: number): string[] {
  const keys: string[] = [];
  for (let start = 0; start + n <= words.length; start += 1) keys.push(words.slice(start, start + n).join(' '));
  return keys.sort();
}

function allNgrams(prepared: string, codes: readonly number[], keying: { base: number; settings: ChrfSettings }): NgramCounts {
  const { base, settings } = keying;
  const ngrams = charNgrams(codes, settings.charOrder, base);
  if (settings.wordOrder > 0) {
    const words = separatePunctuation(prepared);
    for (let n = 1; n <= settings.wordOrder; n += 1) ngrams.push(wordNgrams(words, n));
  }
  return ngrams;
}

/** Clipped matches of two sorted key lists. */
function countMatches(hypothesis: SortedNgrams, reference: SortedNgrams): number {
  let matches = 0;
  let i = 0;
  let j = 0;
  while (i < hypothesis.length && j < reference.length) {
    const left = hypothesis[i] as number | string;
    const right = reference[j] as number | string;
    if (left === right) {
      matches += 1;
      i += 1;
      j += 1;
    } else if (left < right) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return matches;
}

/** `_get_match_statistics` for every order: `[hyp, ref, match]` triples. */
function matchStatistics(hypothesis: NgramCounts, reference: NgramCounts): number[] {
  const statistics: number[] = [];
  hypothesis.forEach((hypothesisKeys, index) => {
    const referenceKeys = reference[index] as SortedNgrams;
    // "Don't count hits if no reference exists for that n-gram"
    statistics.push(
      referenceKeys.length > 0 ? hypothesisKeys.length : 0,
      referenceKeys.length,
      countMatches(hypothesisKeys, referenceKeys),
    );
  });
  return statistics;
}

/** `_compute_f_score`, on the 0–100 scale. */
export function chrfScore(statistics: readonly number[], settings: Pick<ChrfSettings, 'beta' | 'epsSmoothing'>): number {
  const eps = 1e-16;
  const factor = settings.beta ** 2;
  const order = statistics.length / 3;
  let score = 0;
  let effectiveOrder = 0;
  let averagePrecision = 0;
  let averageRecall = 0;
  for (let index = 0; index < order; index += 1) {
    const hypothesisCount = statistics[3 * index] ?? 0;
    const referenceCount = statistics[3 * index + 1] ?? 0;
    const matchCount = statistics[3 * index + 2] ?? 0;
    const precision = hypothesisCount > 0 ? matchCount / hypothesisCount : eps;
    const recall = referenceCount > 0 ? matchCount / referenceCount : eps;
    const denominator = factor * precision + recall;
    score += denominator > 0 ? ((1 + factor) * precision * recall) / denominator : eps;
    if (hypothesisCount > 0 && referenceCount > 0) {
      averagePrecision += precision;
      averageRecall += recall;
      effectiveOrder += 1;
    }
  }
  if (settings.epsSmoothing) return (100 * score) / order;
  if (effectiveOrder === 0) return 0;
  averagePrecision /= effectiveOrder;
  averageRecall /= effectiveOrder;
  if (averagePrecision + averageRecall === 0) return 0;
  return (100 * (1 + factor) * averagePrecision * averageRecall) / (factor * averagePrecision + averageRecall);
}

/** `_compute_segment_statistics`: the statistics of the reference with the best F-score. */
export function chrfSegmentStatistics(hypothesis: string, references: readonly string[], settings: ChrfSettings): number[] {
  const texts = [hypothesis, ...references].map((text) => (settings.lowercase ? text.toLowerCase() : text));
  const codes = texts.map((text) => charCodes(text, settings.whitespace));
  let largest = 0;
  for (const list of codes) for (const code of list) if (code > largest) largest = code;
  const base = largest + 1;
  const hypothesisNgrams = allNgrams(texts[0] as string, codes[0] as number[], { base, settings });
  let best: number[] = [];
  let bestScore = -1;
  for (let index = 1; index < texts.length; index += 1) {
    const statistics = matchStatistics(hypothesisNgrams, allNgrams(texts[index] as string, codes[index] as number[], { base, settings }));
    const score = chrfScore(statistics, settings);
    if (score > bestScore) {
      bestScore = score;
      best = statistics;
    }
  }
  return best;
}

export function chrfSignature(settings: ChrfSettings, nrefs: string): string {
  return formatSignature([
    ['nrefs', nrefs],
    ['case', settings.lowercase ? 'lc' : 'mixed'],
    ['eff', settings.epsSmoothing ? 'no' : 'yes'],
    ['nc', settings.charOrder],
    ['nw', settings.wordOrder],
    ['space', settings.whitespace ? 'yes' : 'no'],
  ]);
}

function readSettings(options: Record<string, unknown>): ChrfSettings {
  return {
    charOrder: optionNumber(options, 'char_order', { fallback: 6, min: 1, integer: true }),
    wordOrder: optionNumber(options, 'word_order', { fallback: 0, min: 0, integer: true }),
    beta: optionNumber(options, 'beta', { fallback: 2, min: 0 }),
    lowercase: optionBoolean(options, 'lowercase', false),
    whitespace: optionBoolean(options, 'whitespace', false),
    epsSmoothing: optionBoolean(options, 'eps_smoothing', false),
  };
}

function makeChrf(name: 'chrf' | 'chrf++', defaultWordOrder: number): MetricDefinition {
  return {
    name,
    options: ['char_order', 'word_order', 'beta', 'lowercase', 'whitespace', 'eps_smoothing'],
    compute(predictions, references, options) {
      const settings = readSettings({ word_order: defaultWordOrder, ...options });
      const totals = new Array<number>(3 * (settings.charOrder + settings.wordOrder)).fill(0);
      const items = predictions.map((prediction, index) => {
        const statistics = chrfSegmentStatistics(prediction, usableReferences(references[index] ?? [], index), settings);
        addInto(totals, statistics);
        return { score: chrfScore(statistics, settings) };
      });
      return {
        metric: name,
        corpus: { score: chrfScore(totals, settings) },
        items,
        signature: chrfSignature(settings, referenceCount(references)),
      };
    },
  };
}

/** chrF (`word_order` 0 unless given). */
export const chrf = makeChrf('chrf', 0);
/** chrF++: chrF with `word_order` 2 unless given. */
export const chrfPlusPlus = makeChrf('chrf++', 2);
