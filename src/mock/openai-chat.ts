/**
 * `POST /v1/chat/completions` in OpenAI's wire format: validation errors, the non-streamed
 * `chat.completion`, and the `chat.completion.chunk` stream with tool calls and usage.
 */
import { z } from 'zod';
import { outputTokenCount, planReply, type PlannedToolCall, type Reply, type ToolChoice } from './reply-plan.js';
import { countTextTokens } from './text-generator.js';
import { openAIInvalid, openAIValidationError, requestRandom, responseId, type WireContext, type WireResult } from './wire.js';

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const content = z.union([z.string(), z.array(contentPart)]).nullish();
const toolCall = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }).optional(),
});
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content,
  name: z.string().optional(),
  tool_calls: z.array(toolCall).nullish(),
  tool_call_id: z.string().optional(),
});
const tool = z.looseObject({
  type: z.string(),
  function: z.looseObject({ name: z.string().min(1), description: z.string().optional(), parameters: z.unknown() }).optional(),
});
const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);
const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string(), schema: z.unknown(), strict: z.boolean().nullish() }),
  }),
]);

const chatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  // Several choices would multiply every code path for a feature gateways rarely use; say so.
  n: z.literal(1, { error: 'the Fener mock provider supports only n = 1' }).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  seed: z.number().int().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  user: z.string().nullish(),
});
type ChatRequest = z.infer<typeof chatRequest>;
type ChatMessage = ChatRequest['messages'][number];

export function handleChatCompletion(body: unknown, context: WireContext): WireResult {
  const parsed = chatRequest.safeParse(body);
  if (!parsed.success) return openAIValidationError(body, parsed.error);
  const request = parsed.data;
  const choice = readToolChoice(request);
  if (choice.mode === 'named' && !functionTools(request).some((spec) => spec.name === choice.name)) {
    return openAIInvalid(`Tool choice '${choice.name}' is not one of the provided tools.`, 'tool_choice', null);
  }
  const requestKey = `${request.model}\u0000${request.seed ?? ''}\u0000${JSON.stringify(request.messages)}`;
  const reply = planReply({
    random: requestRandom(context, requestKey),
    outputTokens: context.options.outputTokens,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    stop: typeof request.stop === 'string' ? [request.stop] : (request.stop ?? []),
    tools: functionTools(request),
    toolChoice: choice,
    parallelToolCalls: request.parallel_tool_calls ?? true,
    lastUserText: lastUserText(request.messages),
    endsWithToolResult: ['tool', 'function'].includes(request.messages.at(-1)?.role ?? ''),
    format: readFormat(request),
  });
  const promptTokens = countPromptTokens(request.messages);
  const completionTokens = outputTokenCount(reply);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  const id = `chatcmpl-${responseId(context, requestKey)}`;
  const meta = { id, model: request.model, created: context.nowSeconds };
  return request.stream
    ? streamCompletion(reply, meta, request.stream_options?.include_usage ? usage : undefined)
    : { kind: 'json', status: 200, body: completionBody(reply, meta, usage) };
}

function functionTools(request: ChatRequest): { name: string; schema: unknown }[] {
  const specs: { name: string; schema: unknown }[] = [];
  for (const entry of request.tools ?? []) {
    if (entry.type === 'function' && entry.function) {
      specs.push({ name: entry.function.name, schema: entry.function.parameters });
    }
  }
  return specs;
}

function readToolChoice(request: ChatRequest): ToolChoice {
  const choice = request.tool_choice;
  if (choice === undefined || choice === null) return { mode: 'auto' };
  if (typeof choice === 'string') return { mode: choice };
  return { mode: 'named', name: choice.function.name };
}

function readFormat(request: ChatRequest): { type: 'text' } | { type: 'json'; schema: unknown } {
  const format = request.response_format;
  if (!format || format.type === 'text') return { type: 'text' };
  return { type: 'json', schema: format.type === 'json_schema' ? format.json_schema.schema : undefined };
}

function contentText(value: ChatMessage['content']): string {
  if (typeof value === 'string') return value;
  let text = '';
  for (const part of value ?? []) if (part.text !== undefined) text += part.text + '\n';
  return text;
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const entry = messages[i];
    if (entry?.role === 'user') return contentText(entry.content);
  }
  return '';
}

/**
 * Prompt tokens: `countTextTokens` over each message's text, name and tool-call arguments, plus 3
 * per message and 3 for the reply's priming, which is how OpenAI documents its chat overhead.
 */
function countPromptTokens(messages: readonly ChatMessage[]): number {
  let tokens = 3;
  for (const entry of messages) {
    tokens += 3 + countTextTokens(contentText(entry.content));
    if (entry.name) tokens += 1 + countTextTokens(entry.name);
    for (const call of entry.tool_calls ?? []) {
      tokens += countTextTokens(call.function?.name ?? '') + countTextTokens(call.function?.arguments ?? '');
    }
  }
  return tokens;
}

interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

function finishReason(reply: Reply): string {
  if (reply.kind === 'tool_calls') return 'tool_calls';
  return reply.finish === 'length' ? 'length' : 'stop';
}

function completionBody(reply: Reply, meta: CompletionMeta, usage: object): string {
  const message =
    reply.kind === 'text'
      ? { role: 'assistant', content: reply.text, refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: reply.calls.map((call) => ({
            id: `call_${call.idPart}`,
            type: 'function',
            function: { name: call.name, arguments: call.argumentsJson },
          })),
        };
  return JSON.stringify({
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    usage,
    service_tier: 'default',
    system_fingerprint: 'fp_fener_mock',
  });
}

/**
 * Every chunk shares its envelope, so it is built once as a prefix and a suffix around the delta:
 * a token then costs one `JSON.stringify` of its text instead of a whole chunk object.
 */
function streamCompletion(reply: Reply, meta: CompletionMeta, usage: object | undefined): WireResult {
  const envelope =
    `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},` +
    `"model":${JSON.stringify(meta.model)},"system_fingerprint":"fp_fener_mock","choices":`;
  const usageField = usage ? ',"usage":null' : '';
  const chunk = (delta: string, finish: string | null = null): string =>
    `${envelope}[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : 'null'}}]${usageField}}\n\n`;

  const events: string[] = [];
  let head: string;
  if (reply.kind === 'text') {
    head = chunk('{"role":"assistant","content":"","refusal":null}');
    for (const fragment of reply.fragments) events.push(chunk(`{"content":${JSON.stringify(fragment)}}`));
  } else {
    // OpenAI's shape: a call opens with its id, type, name and empty arguments; then argument pieces.
    // The first delta of the message also carries the role, as in a text stream.
    const opening = (index: number, call: PlannedToolCall): string =>
      chunk(
        `{${index === 0 ? '"role":"assistant","content":null,' : ''}"tool_calls":[{"index":${index},"id":"call_${call.idPart}",` +
          `"type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":""}}]}`,
      );
    head = '';
    reply.calls.forEach((call, index) => {
      const open = opening(index, call);
      if (index === 0) head = open;
      else events.push(open);
      for (const fragment of call.fragments) {
        events.push(chunk(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(fragment)}}}]}`));
      }
    });
  }
  let tail = chunk('{}', finishReason(reply));
  if (usage) tail += `${envelope}[],"usage":${JSON.stringify(usage)}}\n\n`;
  tail += 'data: [DONE]\n\n';
  return { kind: 'sse', head, events, tail };
}
