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

type NgramCounts = Array<Map<string, number>>;

function charNgrams(line: string, maxOrder: number, includeWhitespace: boolean): NgramCounts {
  const text = includeWhitespace ? line : pyRemoveWhitespace(line);
  // Python slices by code point; map code-point positions to UTF-16 offsets when they differ.
  const offsets = isSingleUnit(text) ? undefined : codePointOffsets(text);
  const length = offsets === undefined ? text.length : offsets.length - 1;
  const result: NgramCounts = [];
  for (let n = 1; n <= maxOrder; n += 1) {
    const counts = new Map<string, number>();
    for (let start = 0; start + n <= length; start += 1) {
      const key = offsets === undefined ? text.slice(start, start + n) : text.slice(offsets[start], offsets[start + n]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    result.push(counts);
  }
  return result;
}

function codePointOffsets(text: string): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const character of text) {
    offsets.push(offset);
    offset += character.length;
  }
  offsets.push(offset);
  return offsets;
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

function wordNgrams(words: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let start = 0; start + n <= words.length; start += 1) {
    const key = words.slice(start, start + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function allNgrams(text: string, settings: ChrfSettings): NgramCounts {
  const prepared = settings.lowercase ? text.toLowerCase() : text;
  const ngrams = charNgrams(prepared, settings.charOrder, settings.whitespace);
  if (settings.wordOrder > 0) {
    const words = separatePunctuation(prepared);
    for (let n = 1; n <= settings.wordOrder; n += 1) ngrams.push(wordNgrams(words, n));
  }
  return ngrams;
}

/** `_get_match_statistics` for every order: `[hyp, ref, match]` triples. */
function matchStatistics(hypothesis: NgramCounts, reference: NgramCounts): number[] {
  const statistics: number[] = [];
  hypothesis.forEach((hypothesisCounts, index) => {
    const referenceCounts = reference[index] as Map<string, number>;
    let hypothesisCount = 0;
    let matchCount = 0;
    for (const [key, count] of hypothesisCounts) {
      hypothesisCount += count;
      const referenceCount = referenceCounts.get(key);
      if (referenceCount !== undefined) matchCount += Math.min(count, referenceCount);
    }
    let referenceTotal = 0;
    for (const count of referenceCounts.values()) referenceTotal += count;
    // "Don't count hits if no reference exists for that n-gram"
    statistics.push(referenceCounts.size > 0 ? hypothesisCount : 0, referenceTotal, matchCount);
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
  const hypothesisNgrams = allNgrams(hypothesis, settings);
  let best: number[] = [];
  let bestScore = -1;
  for (const reference of references) {
    const statistics = matchStatistics(hypothesisNgrams, allNgrams(reference, settings));
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
