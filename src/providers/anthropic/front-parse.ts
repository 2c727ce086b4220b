/**
 * The Anthropic front door: an incoming `POST /v1/messages` body becomes a `ChatRequest`, so an
 * Anthropic SDK client can reach any model the gateway routes to.
 */
import { invalidBody, requireObject, unmodelledFields } from '../openai-compatible/shared.js';
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, ToolChoice } from '../spec.js';
import { messagesBodySchema, modelledMessagesFields } from './front-schema.js';
import type { AnthropicFrontBlock, AnthropicFrontMessage, MessagesBody } from './front-schema.js';

export interface ParsedMessagesBody {
  /** `model` is the name the client asked for. */
  request: ChatRequest;
  stream: boolean;
}

/** @example parseAnthropicMessagesBody({ model: 'claude-x', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] }) */
export function parseAnthropicMessagesBody(body: unknown): ParsedMessagesBody {
  const object = requireObject(body);
  const parsed = messagesBodySchema.safeParse(object);
  if (!parsed.success) throw invalidBody(parsed.error);
  const data = parsed.data;
  const messages: ChatMessage[] = [];
  if (data.system !== undefined) {
    const content = typeof data.system === 'string' ? data.system : data.system.map(({ text }) => ({ type: 'text' as const, text }));
    messages.push({ role: 'system', content });
  }
  for (const message of data.messages) messages.push(...toMessages(message));
  const request: ChatRequest = { model: data.model, messages, max_tokens: data.max_tokens };
  addOptions(request, data);
  let extra = unmodelledFields(object, modelledMessagesFields);
  if (data.output_config !== undefined) {
    // The format is modelled (as OpenAI's response_format); the rest (effort, ...) stays Anthropic's.
    const { format, ...rest } = data.output_config;
    if (format) request.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };
    if (Object.keys(rest).length > 0) extra = { ...extra, output_config: rest };
  }
  if (extra !== undefined) request.extra = extra;
  return { request, stream: data.stream === true };
}

function addOptions(request: ChatRequest, data: MessagesBody): void {
  if (data.stop_sequences !== undefined) request.stop = data.stop_sequences;
  if (data.temperature !== undefined) request.temperature = data.temperature;
  if (data.top_p !== undefined) request.top_p = data.top_p;
  if (data.metadata?.user_id) request.user = data.metadata.user_id;
  if (data.tools !== undefined) {
    request.tools = data.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.input_schema,
      },
    }));
  }
  const choice = data.tool_choice;
  if (choice === undefined) return;
  request.tool_choice = toolChoice(choice);
  if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) request.parallel_tool_calls = false;
}

function toolChoice(choice: NonNullable<MessagesBody['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

/** One Anthropic turn may become several spec messages: tool results first, then the rest. */
function toMessages(message: AnthropicFrontMessage): ChatMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  return message.role === 'assistant' ? [assistantMessage(message.content)] : userMessages(message.content);
}

function assistantMessage(blocks: AnthropicFrontBlock[]): ChatMessage {
  let text: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text') text = (text ?? '') + block.text;
    if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
    }
  }
  return toolCalls.length > 0 ? { role: 'assistant', content: text, tool_calls: toolCalls } : { role: 'assistant', content: text ?? '' };
}

function userMessages(blocks: AnthropicFrontBlock[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      const content = block.content === undefined ? '' : typeof block.content === 'string' ? block.content : block.content.map(toPart);
      messages.push({ role: 'tool', tool_call_id: block.tool_use_id, content });
    } else if (block.type === 'text' || block.type === 'image') {
      parts.push(toPart(block));
    }
  }
  if (parts.length > 0) {
    const only = parts.length === 1 ? parts[0] : undefined;
    messages.push({ role: 'user', content: only?.type === 'text' ? only.text : parts });
  }
  return messages;
}

function toPart(block: Extract<AnthropicFrontBlock, { type: 'text' | 'image' }>): ContentPart {
  if (block.type === 'text') return { type: 'text', text: block.text };
  const source = block.source;
  const url = source.type === 'url' ? source.url : `data:${source.media_type};base64,${source.data}`;
  return { type: 'image_url', image_url: { url } };
}
