import type { MetricDefinition } from './types.js';
import { optionBoolean } from './options.js';
import { mean } from './aggregate.js';

/**
 * 1 when the prediction equals any reference, else 0. With `strip` (default true) both sides are
 * trimmed first; with `lowercase` (default false) compared case-insensitively.
 */
export const exactMatch: MetricDefinition = {
  name: 'exact_match',
  options: ['strip', 'lowercase'],
  compute(predictions, references, options) {
    const strip = optionBoolean(options, 'strip', true);
    const lowercase = optionBoolean(options, 'lowercase', false);
    const normalise = (text: string): string => {
      const stripped = strip ? text.trim() : text;
      return lowercase ? stripped.toLowerCase() : stripped;
    };
    const items = predictions.map((prediction, index) => {
      const target = normalise(prediction);
      const hit = (references[index] ?? []).some((reference) => normalise(reference) === target);
      return { exact_match: hit ? 1 : 0 };
    });
    return { metric: 'exact_match', corpus: { exact_match: mean(items.map((item) => item.exact_match)) }, items };
  },
};
