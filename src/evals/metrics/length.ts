/**
 * `length`: characters (Unicode code points), words (whitespace-separated) and tokens (a
 * tiktoken encoding through js-tiktoken; option `encoding`, default `o200k_base`) per prediction.
 */
import { getEncoding, type Tiktoken, type TiktokenEncoding } from 'js-tiktoken';
import type { MetricDefinition } from './types.js';
import { optionString } from './options.js';
import { mean } from './aggregate.js';
import { pyLength, pySplit } from './python-text.js';

export const tokenEncodings = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const satisfies readonly TiktokenEncoding[];

const encoders = new Map<string, Tiktoken>();

function encoder(name: (typeof tokenEncodings)[number]): Tiktoken {
  let found = encoders.get(name);
  if (found === undefined) {
    found = getEncoding(name);
    encoders.set(name, found);
  }
  return found;
}

export const length: MetricDefinition = {
  name: 'length',
  options: ['encoding'],
  referencesOptional: true,
  compute(predictions, _references, options) {
    const encoding = encoder(optionString(options, 'encoding', { allowed: tokenEncodings, fallback: 'o200k_base' }));
    const items = predictions.map((prediction) => ({
      chars: pyLength(prediction),
      words: pySplit(prediction).length,
      tokens: encoding.encode(prediction).length,
    }));
    return {
      metric: 'length',
      corpus: {
        chars: mean(items.map((item) => item.chars)),
        words: mean(items.map((item) => item.words)),
        tokens: mean(items.map((item) => item.tokens)),
      },
      items,
    };
  },
};
