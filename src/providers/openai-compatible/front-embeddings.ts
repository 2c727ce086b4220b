/**
 * The OpenAI front door for `/v1/embeddings`: request parsing and the exact response shape,
 * including `encoding_format: "base64"` (little-endian float32 bytes), which the official client
 * asks for by default.
 */
import { z } from 'zod';
import type { EmbeddingRequest, EmbeddingResult } from '../spec.js';
import { invalidBody, optionalField as maybe, requireObject } from './body-parsing.js';

export type EmbeddingEncoding = 'float' | 'base64';

const tokenArrays = 'token arrays are not supported: send the text';
const embeddingsBodySchema = z.object({
  model: z.string().min(1, 'you must provide a model'),
  input: z.union([
    z.string().min(1, 'input must not be empty'),
    z.array(z.string().min(1, 'input must not contain empty strings'), tokenArrays).min(1, 'input must not be empty').max(2048),
  ]),
  encoding_format: maybe(z.enum(['float', 'base64'])),
  dimensions: maybe(z.number().int().positive()),
  user: maybe(z.string()),
});

export interface ParsedEmbeddingsBody {
  request: EmbeddingRequest;
  encodingFormat: EmbeddingEncoding;
}

export function parseOpenAIEmbeddingsBody(body: unknown): ParsedEmbeddingsBody {
  const parsed = embeddingsBodySchema.safeParse(requireObject(body));
  if (!parsed.success) throw invalidBody(parsed.error);
  const data = parsed.data;
  const request: EmbeddingRequest = { model: data.model, input: typeof data.input === 'string' ? [data.input] : data.input };
  if (data.dimensions !== undefined) request.dimensions = data.dimensions;
  if (data.user !== undefined) request.user = data.user;
  return { request, encodingFormat: data.encoding_format ?? 'float' };
}

export interface OpenAIEmbeddingsBody {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Little-endian float32, whatever the machine's byte order, as OpenAI encodes. */
export function embeddingToBase64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}

export function embeddingResultToOpenAI(
  result: EmbeddingResult,
  options: { model: string; encodingFormat: EmbeddingEncoding },
): OpenAIEmbeddingsBody {
  const base64 = options.encodingFormat === 'base64';
  return {
    object: 'list',
    data: result.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? embeddingToBase64(vector) : vector,
    })),
    model: options.model,
    usage: { prompt_tokens: result.usage.input_tokens, total_tokens: result.usage.input_tokens },
  };
}
