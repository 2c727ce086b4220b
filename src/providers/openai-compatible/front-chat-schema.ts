/**
 * The zod schema of an incoming OpenAI `/v1/chat/completions` body, limited to what the provider
 * spec models. Everything else a client sends is kept aside as `extra` by `parseOpenAIChatBody`.
 * OpenAI accepts `null` for an absent optional field, so optional fields here are nullish.
 */
import { z } from 'zod';
import { optionalField as maybe } from './body-parsing.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: maybe(z.enum(['auto', 'low', 'high'])) }),
});
const userPart = z.discriminatedUnion('type', [textPart, imagePart]);
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: textContent, name: maybe(z.string()) }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart)]), name: maybe(z.string()) }),
  z
    .object({
      role: z.literal('assistant'),
      content: textContent.nullish().transform((value) => value ?? null),
      name: maybe(z.string()),
      tool_calls: maybe(z.array(toolCall)),
      refusal: maybe(z.string()),
    })
    .refine((message) => message.content !== null || (message.tool_calls?.length ?? 0) > 0, {
      message: 'an assistant message needs content or tool_calls',
      path: ['content'],
    }),
  z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
]);

const jsonSchemaObject = z.record(z.string(), z.unknown()).refine((schema) => schema.type === undefined || schema.type === 'object', {
  message: "must be a JSON Schema object (type 'object')",
});

const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1).max(64),
    description: maybe(z.string()),
    parameters: maybe(jsonSchemaObject),
    strict: maybe(z.boolean()),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: maybe(z.string()),
      schema: maybe(z.record(z.string(), z.unknown())),
      strict: maybe(z.boolean()),
    }),
  }),
]);

const tokens = z.number().int().positive();

export const chatBodySchema = z.object({
  model: z.string().min(1, 'you must provide a model'),
  // May be empty here: a `prompt:` model brings its own messages. The gateway requires at least
  // one once names are resolved.
  messages: z.array(messageSchema),
  tools: maybe(z.array(toolSchema).max(128)),
  tool_choice: maybe(toolChoiceSchema),
  parallel_tool_calls: maybe(z.boolean()),
  response_format: maybe(responseFormatSchema),
  temperature: maybe(z.number().min(0).max(2)),
  top_p: maybe(z.number().min(0).max(1)),
  max_tokens: maybe(tokens),
  max_completion_tokens: maybe(tokens),
  stop: maybe(z.union([z.string(), z.array(z.string()).max(4)])),
  seed: maybe(z.number().int()),
  user: maybe(z.string()),
  presence_penalty: maybe(z.number().min(-2).max(2)),
  frequency_penalty: maybe(z.number().min(-2).max(2)),
  n: maybe(z.literal(1, 'only n = 1 is supported')),
  stream: maybe(z.boolean()),
  stream_options: maybe(z.object({ include_usage: maybe(z.boolean()) })),
});

export type ChatBody = z.infer<typeof chatBodySchema>;

/** The fields this schema models; any other field of a body is passed along as `extra`. */
export const modelledChatFields: ReadonlySet<string> = new Set(Object.keys(chatBodySchema.shape));
