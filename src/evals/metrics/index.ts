/**
 * Evaluation metrics: reference-exact BLEU / chrF (sacrebleu 2.x), ROUGE (Google's rouge-score)
 * and the simple ones (exact match, token F1, contains, regex, JSON, embedding cosine, length).
 *
 * `computeMetric` checks the request (counts, option names) and dispatches to the metric; every
 * failure is a `FenerError('invalid_request')` naming the field at fault.
 */
import { FenerError, type MetricInfo } from '../../core/index.js';
import type { MetricDefinition, MetricRequest, MetricResult } from './types.js';
import { exactMatch } from './exact-match.js';
import { bleu } from './bleu.js';
import { chrf, chrfPlusPlus } from './chrf.js';
import { rouge } from './rouge.js';
import { tokenF1Metric } from './token-f1.js';
import { contains, regex } from './text-match.js';
import { jsonSchema, jsonValid } from './json.js';
import { embeddingCosine } from './embedding.js';
import { length } from './length.js';
import { cost, latency } from './usage.js';

export type { MetricRequest, MetricResult } from './types.js';
export { cosineSimilarity } from './embedding.js';
export { summarise as summariseUsage, quantile } from './usage.js';
export type { Summary as UsageSummary } from './usage.js';
export { sacrebleuVersion } from './sacrebleu-common.js';

const definitions: readonly MetricDefinition[] = [
  bleu,
  chrf,
  chrfPlusPlus,
  rouge,
  exactMatch,
  tokenF1Metric,
  contains,
  regex,
  jsonValid,
  jsonSchema,
  embeddingCosine,
  length,
  latency,
  cost,
];

const byName = new Map(definitions.map((definition) => [definition.name, definition]));

export const metricNames: readonly string[] = definitions.map((definition) => definition.name);

/** Every metric with the option names it accepts, and whether an experiment can score with it. */
export const metricCatalogue: readonly MetricInfo[] = definitions.map((definition) => ({
  name: definition.name,
  options: [...definition.options],
  references_optional: definition.referencesOptional === true,
  experiments: definition.measured !== true,
}));

export function computeMetric(request: MetricRequest): MetricResult {
  const definition = byName.get(request.metric);
  if (definition === undefined) {
    throw new FenerError('invalid_request', `unknown metric '${request.metric}'; known: ${metricNames.join(', ')}`, {
      param: 'metric',
    });
  }
  checkShape(request, definition);
  const options = request.options ?? {};
  for (const name of Object.keys(options)) {
    if (!definition.options.includes(name)) {
      const known = definition.options.length === 0 ? 'none' : definition.options.join(', ');
      throw new FenerError('invalid_request', `unknown option '${name}' for metric ${definition.name}; known: ${known}`, {
        param: `options.${name}`,
      });
    }
  }
  return definition.compute(request.predictions, request.references, options);
}

function checkShape(request: MetricRequest, definition: MetricDefinition): void {
  const { predictions, references } = request;
  if (!Array.isArray(predictions) || predictions.some((item) => typeof item !== 'string')) {
    throw new FenerError('invalid_request', 'predictions must be an array of strings', { param: 'predictions' });
  }
  if (!Array.isArray(references)) {
    throw new FenerError('invalid_request', 'references must be an array of arrays of strings', {
      param: 'references',
    });
  }
  if (references.length !== predictions.length && !(definition.referencesOptional === true && references.length === 0)) {
    throw new FenerError(
      'invalid_request',
      `got ${predictions.length} predictions but ${references.length} reference lists; give one list of references per prediction`,
      { param: 'references' },
    );
  }
  references.forEach((list, index) => {
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
      throw new FenerError('invalid_request', `references[${index}] must be an array of strings`, {
        param: 'references',
      });
    }
    if (list.length === 0 && definition.referencesOptional !== true) {
      throw new FenerError('invalid_request', `references[${index}] is empty; give at least one reference`, {
        param: 'references',
      });
    }
  });
}
