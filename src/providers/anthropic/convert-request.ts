/**
 * `ChatRequest` → Anthropic Messages request body. System and developer messages become the
 * top-level `system`; tool results become `tool_result` blocks in a user turn; consecutive turns of
 * one role are merged, since Anthropic wants user and assistant to alternate.
 */
import { FenerError } from '../../core/index.js';
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../spec.js';

export type AnthropicBlock = Record<string, unknown> & { type: string };
interface Turn {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

export interface AnthropicBodyOptions {
  stream: boolean;
  /** Anthropic requires `max_tokens`; used when the request has none. */
  defaultMaxTokens: number;
}

/** Fields of `extra` that are Anthropic's own parameters, forwarded as they are. */
const nativeExtraFields = ['top_k', 'thinking', 'service_tier', 'output_config'];

export function anthropicBody(request: ChatRequest, options: AnthropicBodyOptions): Record<string, unknown> {
  const system: AnthropicBlock[] = [];
  const turns: Turn[] = [];
  request.messages.forEach((message, index) => addMessage(message, index, { system, turns }));
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: request.max_tokens ?? options.defaultMaxTokens,
    messages: turns,
  };
  if (system.length > 0) body.system = system;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(({ function: fn }) => ({
      name: fn.name,
      ...(fn.description === undefined ? {} : { description: fn.description }),
      input_schema: fn.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(request.tool_choice, request.parallel_tool_calls);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  for (const key of nativeExtraFields) if (request.extra?.[key] !== undefined) body[key] = request.extra[key];
  addOutputFormat(body, request.response_format);
  if (options.stream) body.stream = true;
  return body;
}

/**
 * A JSON schema becomes Anthropic's structured output (`output_config.format`). `json_object`
 * has no Anthropic equivalent without a schema and is left to the prompt.
 */
function addOutputFormat(body: Record<string, unknown>, format: ChatRequest['response_format']): void {
  if (format?.type !== 'json_schema' || format.json_schema.schema === undefined) return;
  const config = typeof body.output_config === 'object' && body.output_config !== null ? body.output_config : {};
  body.output_config = { ...config, format: { type: 'json_schema', schema: format.json_schema.schema } };
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Record<string, unknown> | undefined {
  const single = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...single } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...single };
  if (choice === 'required') return { type: 'any', ...single };
  return { type: 'tool', name: choice.function.name, ...single };
}

function addMessage(message: ChatMessage, index: number, into: { system: AnthropicBlock[]; turns: Turn[] }): void {
  const param = `messages[${index}]`;
  switch (message.role) {
    case 'system':
    case 'developer':
      into.system.push(...textBlocks(message.content));
      return;
    case 'user':
      pushTurn(into.turns, 'user', contentBlocks(message.content, param));
      return;
    case 'tool':
      pushTurn(into.turns, 'user', [
        {
          type: 'tool_result',
          tool_use_id: message.tool_call_id,
          content: typeof message.content === 'string' ? message.content : contentBlocks(message.content, param),
        },
      ]);
      return;
    case 'assistant': {
      const blocks = message.content === null ? [] : textBlocks(message.content);
      if (message.refusal) blocks.push({ type: 'text', text: message.refusal });
      message.tool_calls?.forEach((call, position) => {
        const input = parseArguments(call.function.arguments, `${param}.tool_calls[${position}].function.arguments`);
        blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
      });
      pushTurn(into.turns, 'assistant', blocks);
    }
  }
}

/** Merges into the previous turn when the role repeats; tool results stay ahead of other blocks. */
function pushTurn(turns: Turn[], role: Turn['role'], blocks: AnthropicBlock[]): void {
  const last = turns.at(-1);
  if (last === undefined || last.role !== role) {
    turns.push({ role, content: blocks });
    return;
  }
  if (blocks[0]?.type !== 'tool_result') {
    last.content.push(...blocks);
    return;
  }
  const firstOther = last.content.findIndex((block) => block.type !== 'tool_result');
  if (firstOther === -1) last.content.push(...blocks);
  else last.content.splice(firstOther, 0, ...blocks);
}

/** Anthropic rejects empty text blocks, so empty strings are dropped. */
function textBlocks(content: string | ContentPart[]): AnthropicBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicBlock[] = [];
  for (const part of content) if (part.type === 'text' && part.text !== '') blocks.push({ type: 'text', text: part.text });
  return blocks;
}

function contentBlocks(content: string | ContentPart[], param: string): AnthropicBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicBlock[] = [];
  content.forEach((part, position) => {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else {
      blocks.push({ type: 'image', source: imageSource(part.image_url.url, `${param}.content[${position}].image_url.url`) });
    }
  });
  return blocks;
}

const dataUrl = /^data:([^;,]+);base64,(.*)$/s;

function imageSource(url: string, param: string): Record<string, string> {
  if (url.startsWith('http://') || url.startsWith('https://')) return { type: 'url', url };
  const match = dataUrl.exec(url);
  if (match === null) {
    throw new FenerError('invalid_request', `Invalid '${param}': expected an http(s) URL or a base64 data URL`, { param });
  }
  return { type: 'base64', media_type: match[1]!, data: match[2]! };
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new FenerError('invalid_request', `Invalid '${param}': tool call arguments must be a JSON object`, { param });
}
