/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum exactly as Google's rouge-score 0.1.2 computes them
 * (rouge/rouge_scorer.py), with and without its Porter stemmer. Several references: the best by
 * F-measure per ROUGE type (`score_multi`). Corpus scores: the mean of the item scores.
 */
import type { MetricDefinition } from './types.js';
import { invalidOption, optionBoolean } from './options.js';
import { rougeTokenize } from './rouge-tokenize.js';
import { fmeasure, scoreLcs, summaryLevelLcs, type RougeScore } from './rouge-lcs.js';
import { mean } from './aggregate.js';

export const defaultRougeTypes = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;
const rougeTypePattern = /^rouge([1-9])$/;

export interface RougeSettings {
  rougeTypes: readonly string[];
  useStemmer: boolean;
  splitSummaries: boolean;
}

/** Token ids for one item, so n-grams and LCS compare integers. */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  get size(): number {
    return this.ids.size;
  }
  encode(tokens: readonly string[]): number[] {
    return tokens.map((token) => {
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(token, id);
      }
      return id;
    });
  }
}

/** N-gram counts; keys are token ids in base `base` while exact (base^n < 2^52), else joined text. */
function ngramCounts(tokens: readonly number[], n: number, base: number): Map<string | number, number> {
  const counts = new Map<string | number, number>();
  const numeric = n * Math.log2(Math.max(base, 2)) < 52;
  for (let start = 0; start + n <= tokens.length; start += 1) {
    let key: string | number;
    if (numeric) {
      key = 0;
      for (let offset = 0; offset < n; offset += 1) key = key * base + (tokens[start + offset] as number);
    } else {
      key = tokens.slice(start, start + n).join(',');
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** `_score_ngrams`. */
function scoreNgrams(target: Map<string | number, number>, prediction: Map<string | number, number>): RougeScore {
  let intersection = 0;
  let targetCount = 0;
  let predictionCount = 0;
  for (const [key, count] of target) {
    targetCount += count;
    intersection += Math.min(count, prediction.get(key) ?? 0);
  }
  for (const count of prediction.values()) predictionCount += count;
  const precision = intersection / Math.max(predictionCount, 1);
  const recall = intersection / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/**
 * Sentences for ROUGE-Lsum: one per line, as rouge-score does by default. With `split_summaries`
 * rouge-score calls NLTK's Punkt model, which is not available here; we split after `.`, `!` or
 * `?` (and any closing quotes or brackets) followed by whitespace, which agrees with Punkt on
 * ordinary prose but not after abbreviations such as "Dr.".
 */
export function summarySentences(text: string, splitSummaries: boolean): string[] {
  const sentences = splitSummaries ? text.split(/(?<=[.!?]['")\]]*)\s+/u) : text.split('\n');
  return sentences.filter((sentence) => sentence.length > 0);
}

/** `RougeScorer.score(target, prediction)` for every requested type. */
export function scoreRouge(target: string, prediction: string, settings: RougeSettings): Record<string, RougeScore> {
  const vocabulary = new Vocabulary();
  const targetTokens = vocabulary.encode(rougeTokenize(target, settings.useStemmer));
  const predictionTokens = vocabulary.encode(rougeTokenize(prediction, settings.useStemmer));
  const result: Record<string, RougeScore> = {};
  for (const rougeType of settings.rougeTypes) {
    if (rougeType === 'rougeL') {
      result[rougeType] = scoreLcs(targetTokens, predictionTokens);
    } else if (rougeType === 'rougeLsum') {
      const sentences = (text: string): number[][] =>
        summarySentences(text, settings.splitSummaries).map((sentence) => vocabulary.encode(rougeTokenize(sentence, settings.useStemmer)));
      result[rougeType] = summaryLevelLcs(sentences(target), sentences(prediction));
    } else {
      const n = Number(rougeTypePattern.exec(rougeType)?.[1]);
      result[rougeType] = scoreNgrams(ngramCounts(targetTokens, n, vocabulary.size), ngramCounts(predictionTokens, n, vocabulary.size));
    }
  }
  return result;
}

/** `score_multi`: per type, the score of the reference with the highest F-measure (first on ties). */
export function scoreRougeMulti(targets: readonly string[], prediction: string, settings: RougeSettings): Record<string, RougeScore> {
  const all = targets.map((target) => scoreRouge(target, prediction, settings));
  const best: Record<string, RougeScore> = {};
  for (const rougeType of settings.rougeTypes) {
    let chosen: RougeScore | undefined;
    for (const scores of all) {
      const score = scores[rougeType] as RougeScore;
      if (chosen === undefined || score.fmeasure > chosen.fmeasure) chosen = score;
    }
    best[rougeType] = chosen ?? { precision: 0, recall: 0, fmeasure: 0 };
  }
  return best;
}

function readRougeTypes(options: Record<string, unknown>): readonly string[] {
  const value = options.rouge_types;
  if (value === undefined) return defaultRougeTypes;
  const list = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) {
    throw invalidOption('rouge_types', 'must be a non-empty list of rouge1…rouge9, rougeL, rougeLsum');
  }
  for (const item of list as string[]) {
    if (item !== 'rougeL' && item !== 'rougeLsum' && !rougeTypePattern.test(item)) {
      throw invalidOption('rouge_types', `has an invalid rouge type '${item}'; use rouge1…rouge9, rougeL or rougeLsum`);
    }
  }
  return [...new Set(list as string[])];
}

export const rouge: MetricDefinition = {
  name: 'rouge',
  options: ['rouge_types', 'use_stemmer', 'split_summaries'],
  compute(predictions, references, options) {
    const settings: RougeSettings = {
      rougeTypes: readRougeTypes(options),
      useStemmer: optionBoolean(options, 'use_stemmer', false),
      splitSummaries: optionBoolean(options, 'split_summaries', false),
    };
    const items = predictions.map((prediction, index) => {
      const scores = scoreRougeMulti(references[index] ?? [], prediction, settings);
      const item: Record<string, number> = {};
      for (const [rougeType, score] of Object.entries(scores)) {
        item[`${rougeType}_precision`] = score.precision;
        item[`${rougeType}_recall`] = score.recall;
        item[`${rougeType}_fmeasure`] = score.fmeasure;
      }
      return item;
    });
    const corpus: Record<string, number> = {};
    for (const rougeType of settings.rougeTypes) {
      for (const measure of ['precision', 'recall', 'fmeasure']) {
        const key = `${rougeType}_${measure}`;
        corpus[key] = mean(items.map((item) => item[key] ?? 0));
      }
    }
    return { metric: 'rouge', corpus, items };
  },
};
