/** `contains` (a reference occurs in the prediction) and `regex` (a pattern matches the prediction). */
import safeRegex from 'safe-regex2';
import { FenerError } from '../../core/index.js';
import type { MetricDefinition } from './types.js';
import { invalidOption, optionBoolean, optionText } from './options.js';
import { mean } from './aggregate.js';

function binaryResult(
  metric: string,
  hits: boolean[],
): { metric: string; corpus: Record<string, number>; items: Array<Record<string, number>> } {
  const items = hits.map((hit) => ({ [metric]: hit ? 1 : 0 }));
  return { metric, corpus: { [metric]: mean(items.map((item) => item[metric] ?? 0)) }, items };
}

/** 1 when any reference occurs in the prediction (`lowercase`: compare case-insensitively). */
export const contains: MetricDefinition = {
  name: 'contains',
  options: ['lowercase'],
  compute(predictions, references, options) {
    const lowercase = optionBoolean(options, 'lowercase', false);
    const fold = (text: string): string => (lowercase ? text.toLowerCase() : text);
    return binaryResult(
      'contains',
      predictions.map((prediction, index) => (references[index] ?? []).some((reference) => fold(prediction).includes(fold(reference)))),
    );
  },
};

/**
 * Patterns are JavaScript regular expressions, matched on the event loop (online evaluators run
 * them on live traces): long ones are refused, and so are those with nested repetition such as
 * `(a+)+`, whose matching time can grow exponentially with the text (checked by safe-regex2, the
 * star-height check Fastify uses for its own route patterns).
 */
const maxPatternLength = 1000;

/**
 * 1 when `pattern` matches the prediction (`flags`: JavaScript flags such as `i`, `m`, `s`).
 * References are not needed and are ignored.
 */
export const regex: MetricDefinition = {
  name: 'regex',
  options: ['pattern', 'flags'],
  referencesOptional: true,
  compute(predictions, _references, options) {
    const pattern = optionText(options, 'pattern');
    if (pattern === undefined || pattern === '') throw invalidOption('pattern', 'is required for the regex metric');
    if (pattern.length > maxPatternLength) throw invalidOption('pattern', `must be at most ${maxPatternLength} characters`);
    const flags = optionText(options, 'flags') ?? '';
    if (!/^[imsu]*$/.test(flags)) throw invalidOption('flags', 'may contain only i, m, s and u');
    let compiled: RegExp;
    try {
      compiled = new RegExp(pattern, flags);
    } catch (error) {
      throw new FenerError('invalid_request', `options.pattern is not a valid regular expression: ${(error as Error).message}`, {
        param: 'options.pattern',
      });
    }
    if (!safeRegex(pattern)) {
      throw invalidOption(
        'pattern',
        'has nested repetition (such as (a+)+), which can take exponential time: rewrite it without a repeated group of repeats',
      );
    }
    return binaryResult(
      'regex',
      predictions.map((prediction) => compiled.test(prediction)),
    );
  },
};
