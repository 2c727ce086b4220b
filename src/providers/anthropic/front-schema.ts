/**
 * The zod schema of an incoming Anthropic `POST /v1/messages` body, for Anthropic SDK clients of
 * the gateway. Fields it does not model are kept aside as `extra` by `parseAnthropicMessagesBody`.
 */
import { z } from 'zod';

const cacheControl = z.unknown().optional(); // prompt-caching hints: accepted, not forwarded

const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
    z.object({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
  cache_control: cacheControl,
});
const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});
/** Extended-thinking blocks that clients send back in history: accepted, then left out. */
const thinkingBlock = z.object({ type: z.enum(['thinking', 'redacted_thinking']) });

const blockSchema = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock]);
export type AnthropicFrontBlock = z.infer<typeof blockSchema>;

const messageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(blockSchema)]),
});
export type AnthropicFrontMessage = z.infer<typeof messageSchema>;

const toolSchema = z.object({
  type: z.literal('custom').optional(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  input_schema: z
    .record(z.string(), z.unknown())
    .refine((schema) => schema.type === 'object', { message: "must be a JSON Schema with type 'object'" }),
  cache_control: cacheControl,
});

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['auto', 'any']), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

export const messagesBodySchema = z.object({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(messageSchema).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  stream: z.boolean().optional(),
  output_config: z
    .looseObject({
      format: z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).nullish(),
    })
    .optional(),
});
export type MessagesBody = z.infer<typeof messagesBodySchema>;

export const modelledMessagesFields: ReadonlySet<string> = new Set(Object.keys(messagesBodySchema.shape));
