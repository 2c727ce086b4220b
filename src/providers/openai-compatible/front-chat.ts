/**
 * The OpenAI front door: an incoming `/v1/chat/completions` body becomes a `ChatRequest`.
 * Failures are `invalid_request` errors naming the field, as OpenAI's `param` does.
 */
import { FenerError } from '../../core/index.js';
import type { ChatMessage, ChatRequest, ContentPart } from '../spec.js';
import { chatBodySchema, modelledChatFields } from './front-chat-schema.js';
import type { ChatBody } from './front-chat-schema.js';
import { invalidBody, requireObject, unmodelledFields } from './body-parsing.js';

export interface ParsedChatBody {
  /** `model` is the name the client asked for; the gateway resolves it to an upstream model. */
  request: ChatRequest;
  stream: boolean;
  /** The client asked for the final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/**
 * @example parseOpenAIChatBody({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true })
 */
export function parseOpenAIChatBody(body: unknown): ParsedChatBody {
  const object = requireObject(body);
  const parsed = chatBodySchema.safeParse(object);
  if (!parsed.success) throw invalidBody(parsed.error);
  const data = parsed.data;
  checkToolChoice(data);
  const request = toChatRequest(data);
  const extra = unmodelledFields(object, modelledChatFields);
  if (extra !== undefined) request.extra = extra;
  return { request, stream: data.stream === true, includeUsage: data.stream_options?.include_usage === true };
}

function checkToolChoice(data: ChatBody): void {
  const choice = data.tool_choice;
  if (choice === undefined || choice === 'none' || choice === 'auto') return;
  const tools = data.tools ?? [];
  if (tools.length === 0) {
    throw new FenerError('invalid_request', "Invalid 'tool_choice': only allowed when 'tools' are given", { param: 'tool_choice' });
  }
  if (choice !== 'required' && !tools.some((tool) => tool.function.name === choice.function.name)) {
    const message = `Invalid 'tool_choice': no tool named "${choice.function.name}" in 'tools'`;
    throw new FenerError('invalid_request', message, { param: 'tool_choice.function.name' });
  }
}

function toChatRequest(data: ChatBody): ChatRequest {
  const request: ChatRequest = { model: data.model, messages: data.messages.map(toMessage) };
  if (data.tools !== undefined) request.tools = data.tools.map(({ type, function: fn }) => ({ type, function: dropUndefined(fn) }));
  if (data.tool_choice !== undefined) request.tool_choice = data.tool_choice;
  if (data.parallel_tool_calls !== undefined) request.parallel_tool_calls = data.parallel_tool_calls;
  if (data.response_format !== undefined) {
    const format = data.response_format;
    request.response_format =
      format.type === 'json_schema' ? { type: format.type, json_schema: dropUndefined(format.json_schema) } : format;
  }
  const maxTokens = data.max_completion_tokens ?? data.max_tokens;
  if (maxTokens !== undefined) request.max_tokens = maxTokens;
  if (data.stop !== undefined) request.stop = typeof data.stop === 'string' ? [data.stop] : data.stop;
  const scalars = ['temperature', 'top_p', 'seed', 'user', 'presence_penalty', 'frequency_penalty'] as const;
  for (const key of scalars) {
    const value = data[key];
    if (value !== undefined) Object.assign(request, { [key]: value });
  }
  return request;
}

function toMessage(message: ChatBody['messages'][number]): ChatMessage {
  if (message.role === 'user' && typeof message.content !== 'string') {
    return dropUndefined({ role: 'user', content: message.content.map(toPart), name: message.name });
  }
  return dropUndefined(message);
}

type UserPart = Extract<Extract<ChatBody['messages'][number], { role: 'user' }>['content'], unknown[]>[number];

function toPart(part: UserPart): ContentPart {
  if (part.type === 'text') return part;
  return { type: 'image_url', image_url: dropUndefined(part.image_url) };
}

/** Keeps bodies sent upstream free of `"key": undefined` noise (and of keys the client never set). */
function dropUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}
