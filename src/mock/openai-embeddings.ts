/**
 * `POST /v1/embeddings` and `GET /v1/models` in OpenAI's wire format. Vectors are unit length
 * and depend only on the server seed and the input, so equal inputs embed equally (cosine 1)
 * across calls and batches, which is what retrieval tests need.
 */
import { z } from 'zod';
import { createRandom, hashString, mixSeeds } from './random.js';
import { countTextTokens } from './text-generator.js';
import { openAIValidationError, type WireContext, type WireResult } from './wire.js';

const defaultDimensions = 8;

const embeddingRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).max(4096).nullish(),
  user: z.string().nullish(),
});

export function handleEmbeddings(body: unknown, context: WireContext): WireResult {
  const parsed = embeddingRequest.safeParse(body);
  if (!parsed.success) return openAIValidationError(body, parsed.error);
  const request = parsed.data;
  const inputs = normaliseInputs(request.input);
  const dimensions = request.dimensions ?? defaultDimensions;
  const base64 = request.encoding_format === 'base64';
  let promptTokens = 0;
  const data = inputs.map((input, index) => {
    promptTokens += input.tokens;
    const vector = embed(context.options.seed, input.key, dimensions);
    return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : Array.from(vector) };
  });
  return {
    kind: 'json',
    status: 200,
    body: JSON.stringify({
      object: 'list',
      data,
      model: request.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    }),
  };
}

interface EmbeddingInput {
  /** What the vector is derived from: the text, or the token ids joined. */
  key: string;
  tokens: number;
}

function normaliseInputs(input: z.infer<typeof embeddingRequest>['input']): EmbeddingInput[] {
  if (typeof input === 'string') return [{ key: input, tokens: countTextTokens(input) }];
  const first = input[0];
  if (typeof first === 'number') return [{ key: input.join(','), tokens: input.length }];
  return input.map((item: string | number | number[]) =>
    typeof item === 'string'
      ? { key: item, tokens: countTextTokens(item) }
      : { key: Array.isArray(item) ? item.join(',') : String(item), tokens: Array.isArray(item) ? item.length : 1 },
  );
}

function embed(seed: number, key: string, dimensions: number): Float32Array {
  const random = createRandom(mixSeeds(seed, hashString(key)));
  const vector = new Float32Array(dimensions);
  let squares = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = random() * 2 - 1;
    vector[i] = value;
    squares += value * value;
  }
  const norm = Math.sqrt(squares) || 1;
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

/** OpenAI's base64 encoding: the float32 values, little-endian, back to back. */
function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

const modelIds = [
  'mock-gpt',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'claude-sonnet-4-5',
  'claude-haiku-4-5',
] as const;

/** Any model name is accepted by the other endpoints; this list is what `GET /v1/models` shows. */
export function handleListModels(): WireResult {
  const data = modelIds.map((id) => modelObject(id));
  return { kind: 'json', status: 200, body: JSON.stringify({ object: 'list', data }) };
}

export function handleRetrieveModel(id: string): WireResult {
  return { kind: 'json', status: 200, body: JSON.stringify(modelObject(id)) };
}

function modelObject(id: string): { id: string; object: 'model'; created: number; owned_by: string } {
  // A fixed date: model metadata should not change from one run to the next.
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'fener-mock' };
}
