/**
 * `embedding_cosine`: cosine similarity between a prediction's embedding and its references'
 * embeddings, the best over the references. The metric does not call a model: the caller embeds
 * the texts (for example through the gateway's `/v1/embeddings`) and passes the vectors as
 * `options.prediction_embeddings` (one vector per prediction) and
 * `options.reference_embeddings` (per item, one vector per reference, in the order of `references`).
 */
import { FenerError } from '../../core/index.js';
import type { MetricDefinition } from './types.js';
import { invalidOption } from './options.js';
import { mean } from './aggregate.js';

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'number' && Number.isFinite(entry));
}

/** Cosine similarity; 0 when either vector has zero length, so a report never shows NaN. */
export function cosineSimilarity(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index] as number;
    const b = right[index] as number;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  if (leftNorm === 0 || rightNorm === 0) return 0;
  return dot / Math.sqrt(leftNorm * rightNorm);
}

function readVectors(options: Record<string, unknown>, count: number): { predictions: number[][]; references: number[][][] } {
  const predictions = options.prediction_embeddings;
  const references = options.reference_embeddings;
  if (!Array.isArray(predictions) || !predictions.every(isVector)) {
    throw invalidOption('prediction_embeddings', 'must be an array of numeric vectors, one per prediction');
  }
  if (!Array.isArray(references) || !references.every((list) => Array.isArray(list) && list.length > 0 && list.every(isVector))) {
    throw invalidOption('reference_embeddings', 'must be an array with, per item, a non-empty array of numeric vectors');
  }
  if (predictions.length !== count || references.length !== count) {
    throw new FenerError(
      'invalid_request',
      `embedding_cosine got ${count} predictions, ${predictions.length} prediction embeddings and ${references.length} reference embedding lists; give one of each per item`,
      { param: 'options.prediction_embeddings' },
    );
  }
  return { predictions, references: references as number[][][] };
}

export const embeddingCosine: MetricDefinition = {
  name: 'embedding_cosine',
  options: ['prediction_embeddings', 'reference_embeddings'],
  referencesOptional: true,
  measured: true,
  compute(predictions, _references, options) {
    const vectors = readVectors(options, predictions.length);
    const items = vectors.predictions.map((vector, index) => {
      const candidates = vectors.references[index] ?? [];
      const scores = candidates.map((candidate) => {
        if (candidate.length !== vector.length) {
          throw new FenerError(
            'invalid_request',
            `item ${index}: prediction embedding has ${vector.length} dimensions but a reference embedding has ${candidate.length}`,
            { param: 'options.reference_embeddings' },
          );
        }
        return cosineSimilarity(vector, candidate);
      });
      return { embedding_cosine: Math.max(...scores) };
    });
    return { metric: 'embedding_cosine', corpus: { embedding_cosine: mean(items.map((item) => item.embedding_cosine)) }, items };
  },
};
