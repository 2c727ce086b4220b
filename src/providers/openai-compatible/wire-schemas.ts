/**
 * What OpenAI-compatible upstreams send back, as zod schemas. Deliberately lenient where servers
 * differ (vLLM, Ollama, llama.cpp server and Groq omit or null fields OpenAI always sends), and
 * strict only where the gateway relies on a field.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const usageSchema = z.object({
  prompt_tokens: count.nullish(),
  completion_tokens: count.nullish(),
  prompt_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
});
export type OpenAIUsage = z.infer<typeof usageSchema>;

const toolCallSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string(), arguments: z.string().nullish() }),
});

export const chatCompletionSchema = z.object({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  system_fingerprint: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(toolCallSchema).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageSchema.nullish(),
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

const toolCallDeltaSchema = z.object({
  /** Some servers leave out `index` when they send each call whole in one chunk. */
  index: z.number().int().nonnegative().nullish(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const chatChunkSchema = z.object({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
});
export type ChatChunk = z.infer<typeof chatChunkSchema>;

export const embeddingsResponseSchema = z.object({
  model: z.string().nullish(),
  data: z.array(z.object({ index: z.number().int().nonnegative().nullish(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: count.nullish() }).nullish(),
});
export type EmbeddingsResponse = z.infer<typeof embeddingsResponseSchema>;
