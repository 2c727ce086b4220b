/**
 * What Anthropic's Messages API sends back, as zod schemas: the `message` object and the stream
 * events. Block and event types Fener does not use (thinking, server tools, citations) pass the
 * schemas and are skipped by the readers, as Anthropic asks clients to do with unknown types.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const anthropicUsageSchema = z.object({
  input_tokens: count.nullish(),
  output_tokens: count.nullish(),
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/** One loose shape for every block type; readers switch on `type`. */
const contentBlockSchema = z.object({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
});

export const anthropicMessageSchema = z.object({
  id: z.string(),
  model: z.string().nullish(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

export const streamEventSchemas = {
  message_start: z.object({
    message: z.object({ id: z.string(), model: z.string().nullish(), usage: anthropicUsageSchema.nullish() }),
  }),
  content_block_start: z.object({ index: z.number().int().nonnegative(), content_block: contentBlockSchema }),
  content_block_delta: z.object({
    index: z.number().int().nonnegative(),
    delta: z.object({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }),
  }),
  content_block_stop: z.object({ index: z.number().int().nonnegative() }),
  message_delta: z.object({
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: anthropicUsageSchema.nullish(),
  }),
} as const;

export type StreamEventType = keyof typeof streamEventSchemas;
export type StreamEventData<T extends StreamEventType> = z.infer<(typeof streamEventSchemas)[T]>;
