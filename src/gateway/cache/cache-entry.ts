/**
 * The stored form of a cached answer. What comes back from the shared state is external data
 * (another replica, another version, or a hand-edited Redis), so it is parsed with a schema
 * and anything that does not fit is treated as a miss.
 */
import { z } from 'zod';
import type { ChatResult } from '../../providers/index.js';

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const usageSchema = z.object({
  input_tokens: z.number().nonnegative(),
  output_tokens: z.number().nonnegative(),
  cached_input_tokens: z.number().nonnegative().optional(),
});

const chatResultSchema = z.object({
  id: z.string(),
  model: z.string(),
  created: z.number(),
  message: z.object({
    role: z.literal('assistant'),
    content: z.string().nullable(),
    tool_calls: z.array(toolCallSchema).optional(),
    refusal: z.string().nullable().optional(),
  }),
  finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']),
  usage: usageSchema.optional(),
  system_fingerprint: z.string().optional(),
});

const entrySchema = z.object({
  v: z.literal(1),
  result: chatResultSchema,
  /** What the original call cost, in USD: what every later hit saves. */
  cost_usd: z.number().nonnegative(),
  /** Epoch milliseconds when the answer was stored. */
  stored_at: z.number(),
});

export interface CacheEntry {
  result: ChatResult;
  costUsd: number;
  storedAt: number;
}

export function encodeEntry(entry: CacheEntry): string {
  return JSON.stringify({ v: 1, result: entry.result, cost_usd: entry.costUsd, stored_at: entry.storedAt });
}

export function decodeEntry(text: string): CacheEntry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = entrySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { result, cost_usd: costUsd, stored_at: storedAt } = parsed.data;
  return { result, costUsd, storedAt };
}
