/**
 * BLEU exactly as sacrebleu 2.4.3 computes it (`metrics/bleu.py`): corpus BLEU from summed
 * statistics, sentence BLEU per item, the four smoothing methods and the signature string.
 */
import type { MetricDefinition } from './types.js';
import { optionBoolean, optionNumber, optionString, invalidOption } from './options.js';
import { bleuTokenizer, bleuTokenizerNames, type BleuTokenizerName } from './sacrebleu-tokenizers.js';
import { pyRstrip, pySplit } from './python-text.js';
import { addInto, formatSignature, referenceCount, usableReferences } from './sacrebleu-common.js';

export const smoothMethods = ['exp', 'floor', 'add-k', 'none'] as const;
export type SmoothMethod = (typeof smoothMethods)[number];

const smoothDefaults: Record<SmoothMethod, number | undefined> = { exp: undefined, floor: 0.1, 'add-k': 1, none: undefined };

export interface BleuSettings {
  tokenize: BleuTokenizerName;
  lowercase: boolean;
  smoothMethod: SmoothMethod;
  smoothValue: number | undefined;
  maxNgramOrder: number;
  effectiveOrder: boolean;
}

export interface BleuScore {
  score: number;
  bp: number;
  precisions: number[];
  sysLen: number;
  refLen: number;
}

/** sacrebleu's `my_log`: log, with log(0) taken as -9999999999 so the score becomes 0. */
function safeLog(value: number): number {
  return value === 0 ? -9999999999 : Math.log(value);
}

/** `BLEU.compute_bleu`: the score from sufficient statistics (`correct`/`total` are copied). */
export function computeBleu(
  counts: { correct: readonly number[]; total: readonly number[]; sysLen: number; refLen: number },
  settings: Pick<BleuSettings, 'smoothMethod' | 'smoothValue' | 'effectiveOrder' | 'maxNgramOrder'>,
): BleuScore {
  const { sysLen, refLen } = counts;
  const correct = [...counts.correct];
  const total = [...counts.total];
  const order = settings.maxNgramOrder;
  const smoothValue = settings.smoothValue ?? smoothDefaults[settings.smoothMethod] ?? 0;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(order).fill(0);
  const result = (score: number): BleuScore => ({ score, bp, precisions, sysLen, refLen });
  // "Early stop if there are no matches (#141)"
  if (!correct.some((count) => count !== 0)) return result(0);

  let smoothMteval = 1;
  let effectiveOrder = order;
  for (let n = 1; n <= order; n += 1) {
    if (settings.smoothMethod === 'add-k' && n > 1) {
      correct[n - 1] = (correct[n - 1] ?? 0) + smoothValue;
      total[n - 1] = (total[n - 1] ?? 0) + smoothValue;
    }
    const hits = correct[n - 1] ?? 0;
    const guesses = total[n - 1] ?? 0;
    if (guesses === 0) break;
    if (settings.effectiveOrder) effectiveOrder = n;
    if (hits === 0) {
      if (settings.smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * guesses);
      } else if (settings.smoothMethod === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / guesses;
      }
    } else {
      precisions[n - 1] = (100 * hits) / guesses;
    }
  }
  let logSum = 0;
  for (let index = 0; index < effectiveOrder; index += 1) logSum += safeLog(precisions[index] ?? 0);
  return result(bp * Math.exp(logSum / effectiveOrder));
}

type NgramCounts = Array<Map<number | string, number>>;

/**
 * `extract_all_word_ngrams`: n-gram counts per order (index n-1). Tokens are numbered per item
 * and an n-gram's key is its token numbers read as digits in base `base`, exact while
 * base^n < 2^52; otherwise the key is the tokens joined by a space (they contain no whitespace).
 */
function wordNgrams(tokens: readonly string[], ids: readonly number[], keying: { maxOrder: number; base: number }): NgramCounts {
  const { maxOrder, base } = keying;
  const ngrams: NgramCounts = Array.from({ length: maxOrder }, () => new Map<number | string, number>());
  const numericOrders = Math.min(maxOrder, Math.floor(Math.log(2 ** 52) / Math.log(Math.max(base, 2))));
  for (let start = 0; start < ids.length; start += 1) {
    let key = 0;
    const limit = Math.min(maxOrder, ids.length - start);
    for (let n = 1; n <= limit; n += 1) {
      const counts = ngrams[n - 1] as Map<number | string, number>;
      if (n <= numericOrders) {
        key = key * base + (ids[start + n - 1] as number);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } else {
        const text = tokens.slice(start, start + n).join(' ');
        counts.set(text, (counts.get(text) ?? 0) + 1);
      }
    }
  }
  return ngrams;
}

/** `_get_closest_ref_len`: the reference length closest to the hypothesis, the shorter on ties. */
function closestReferenceLength(hypothesisLength: number, referenceLengths: readonly number[]): number {
  let closestDiff = -1;
  let closestLength = -1;
  for (const length of referenceLengths) {
    const diff = Math.abs(hypothesisLength - length);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLength = length;
    } else if (diff === closestDiff && length < closestLength) {
      closestLength = length;
    }
  }
  return closestLength;
}

/** One segment's statistics: `[hypLen, refLen, correct_1..N, total_1..N]`. */
export function bleuSegmentStatistics(hypothesis: string, references: readonly string[], settings: BleuSettings): number[] {
  const preprocess = preprocessor(settings);
  const order = settings.maxNgramOrder;
  const tokenLists = [hypothesis, ...references].map((text) => pySplit(preprocess(text)));
  const vocabulary = new Map<string, number>();
  const idLists = tokenLists.map((tokens) =>
    tokens.map((token) => {
      let id = vocabulary.get(token);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(token, id);
      }
      return id;
    }),
  );
  const base = vocabulary.size;
  const merged: NgramCounts = Array.from({ length: order }, () => new Map<number | string, number>());
  const referenceLengths: number[] = [];
  for (let index = 1; index < tokenLists.length; index += 1) {
    const tokens = tokenLists[index] as string[];
    referenceLengths.push(tokens.length);
    wordNgrams(tokens, idLists[index] as number[], { maxOrder: order, base }).forEach((counts, position) => {
      const target = merged[position] as Map<number | string, number>;
      for (const [key, count] of counts) target.set(key, Math.max(target.get(key) ?? 0, count));
    });
  }
  const hypothesisTokens = tokenLists[0] as string[];
  const length = hypothesisTokens.length;
  const correct = new Array<number>(order).fill(0);
  const total = new Array<number>(order).fill(0);
  wordNgrams(hypothesisTokens, idLists[0] as number[], { maxOrder: order, base }).forEach((counts, index) => {
    const referenceCounts = merged[index] as Map<number | string, number>;
    for (const [key, count] of counts) {
      total[index] = (total[index] ?? 0) + count;
      const referenceCount = referenceCounts.get(key);
      if (referenceCount !== undefined) correct[index] = (correct[index] ?? 0) + Math.min(count, referenceCount);
    }
  });
  return [length, closestReferenceLength(length, referenceLengths), ...correct, ...total];
}

const preprocessors = new Map<string, (text: string) => string>();

/** `_preprocess_segment`: optional lowercasing, then the tokenizer on the right-stripped line. */
function preprocessor(settings: BleuSettings): (text: string) => string {
  const key = `${settings.tokenize}|${settings.lowercase}`;
  let found = preprocessors.get(key);
  if (found === undefined) {
    const tokenize = bleuTokenizer(settings.tokenize);
    found = settings.lowercase ? (text) => tokenize(pyRstrip(text.toLowerCase())) : (text) => tokenize(pyRstrip(text));
    preprocessors.set(key, found);
  }
  return found;
}

export function scoreFromStatistics(statistics: readonly number[], settings: BleuSettings): BleuScore {
  const order = settings.maxNgramOrder;
  return computeBleu(
    {
      sysLen: statistics[0] ?? 0,
      refLen: statistics[1] ?? 0,
      correct: statistics.slice(2, 2 + order),
      total: statistics.slice(2 + order, 2 + 2 * order),
    },
    settings,
  );
}

export function bleuSignature(settings: BleuSettings, nrefs: string): string {
  const defaultValue = smoothDefaults[settings.smoothMethod];
  const smooth =
    defaultValue === undefined ? settings.smoothMethod : `${settings.smoothMethod}[${(settings.smoothValue ?? defaultValue).toFixed(2)}]`;
  return formatSignature([
    ['nrefs', nrefs],
    ['case', settings.lowercase ? 'lc' : 'mixed'],
    ['eff', settings.effectiveOrder ? 'yes' : 'no'],
    ['tok', settings.tokenize],
    ['smooth', smooth],
  ]);
}

function readSettings(options: Record<string, unknown>): { corpus: BleuSettings; sentence: BleuSettings } {
  if (options.effective_order !== undefined && options.use_effective_order !== undefined) {
    throw invalidOption('use_effective_order', 'cannot be given together with effective_order (they are one option)');
  }
  const effectiveOption = options.effective_order !== undefined ? 'effective_order' : 'use_effective_order';
  const explicitEffective = options[effectiveOption] === undefined ? undefined : optionBoolean(options, effectiveOption, false);
  const smoothValue =
    options.smooth_value === undefined || options.smooth_value === null
      ? undefined
      : optionNumber(options, 'smooth_value', { fallback: 0, min: 0 });
  const corpus: BleuSettings = {
    tokenize: optionString(options, 'tokenize', { allowed: bleuTokenizerNames, fallback: '13a' }),
    lowercase: optionBoolean(options, 'lowercase', false),
    smoothMethod: optionString(options, 'smooth_method', { allowed: smoothMethods, fallback: 'exp' }),
    smoothValue,
    maxNgramOrder: optionNumber(options, 'max_ngram_order', { fallback: 4, min: 1, integer: true }),
    // sacrebleu's corpus_bleu defaults to no effective order, its sentence_bleu to effective order.
    effectiveOrder: explicitEffective ?? false,
  };
  return { corpus, sentence: { ...corpus, effectiveOrder: explicitEffective ?? true } };
}

/**
 * Corpus BLEU (`corpus`), sentence BLEU per item (`items`, with effective order unless the
 * caller sets `effective_order`), and the corpus signature.
 */
export const bleu: MetricDefinition = {
  name: 'bleu',
  options: ['tokenize', 'lowercase', 'smooth_method', 'smooth_value', 'max_ngram_order', 'effective_order', 'use_effective_order'],
  compute(predictions, references, options) {
    const { corpus, sentence } = readSettings(options);
    const totals = new Array<number>(2 + 2 * corpus.maxNgramOrder).fill(0);
    const items = predictions.map((prediction, index) => {
      const statistics = bleuSegmentStatistics(prediction, usableReferences(references[index] ?? [], index), corpus);
      addInto(totals, statistics);
      return { score: scoreFromStatistics(statistics, sentence).score };
    });
    const score = scoreFromStatistics(totals, corpus);
    const precisions = Object.fromEntries(score.precisions.map((value, index) => [`precision_${index + 1}`, value]));
    return {
      metric: 'bleu',
      corpus: {
        score: score.score,
        bp: score.bp,
        sys_len: score.sysLen,
        ref_len: score.refLen,
        ratio: score.refLen === 0 ? 0 : score.sysLen / score.refLen,
        ...precisions,
      },
      items,
      signature: bleuSignature(corpus, referenceCount(references)),
    };
  },
};
