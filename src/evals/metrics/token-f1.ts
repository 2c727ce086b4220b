/**
 * Token F1 as the SQuAD v2.0 evaluation script computes it: answers normalised (lower case,
 * ASCII punctuation removed, articles a/an/the removed, whitespace collapsed), F1 over the bag of
 * tokens, 1/0 by equality when either side has no tokens, and the best over the references.
 */
import type { MetricDefinition } from './types.js';
import { mean } from './aggregate.js';
import { pySplit } from './python-text.js';

const asciiPunctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python's `\b` with str patterns is Unicode-aware: a word character is a letter, digit or `_`.
const articles = /(?<![\p{L}\p{N}_])(a|an|the)(?![\p{L}\p{N}_])/gu;

export function normaliseAnswer(text: string): string {
  return pySplit(text.toLowerCase().replace(asciiPunctuation, '').replace(articles, ' ')).join(' ');
}

export function tokenF1(prediction: string, reference: string): number {
  const predictionTokens = pySplit(normaliseAnswer(prediction));
  const referenceTokens = pySplit(normaliseAnswer(reference));
  if (predictionTokens.length === 0 || referenceTokens.length === 0) {
    return predictionTokens.length === referenceTokens.length ? 1 : 0;
  }
  const referenceCounts = new Map<string, number>();
  for (const token of referenceTokens) referenceCounts.set(token, (referenceCounts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predictionTokens) {
    const left = referenceCounts.get(token) ?? 0;
    if (left > 0) {
      same += 1;
      referenceCounts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predictionTokens.length;
  const recall = same / referenceTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

export const tokenF1Metric: MetricDefinition = {
  name: 'token_f1',
  options: [],
  compute(predictions, references) {
    const items = predictions.map((prediction, index) => {
      const normalisedPrediction = normaliseAnswer(prediction);
      const scores = (references[index] ?? []).map((reference) => tokenF1(prediction, reference));
      const exact = (references[index] ?? []).some((reference) => normaliseAnswer(reference) === normalisedPrediction);
      return { token_f1: Math.max(0, ...scores), exact_match: exact ? 1 : 0 };
    });
    return {
      metric: 'token_f1',
      corpus: { token_f1: mean(items.map((item) => item.token_f1)), exact_match: mean(items.map((item) => item.exact_match)) },
      items,
    };
  },
};
