/**
 * Conversions between the provider spec and OpenAI's chat wire format, upstream direction: the
 * body we send, and the completion and usage we get back.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult, FinishReason, ToolCall, Usage } from '../spec.js';
import type { ChatCompletion, EmbeddingsResponse, OpenAIUsage } from './wire-schemas.js';

export interface BodyOptions {
  stream: boolean;
  /** OpenAI itself wants `max_completion_tokens` (its reasoning models reject `max_tokens`). */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Most compatible servers (Ollama, llama.cpp) know no `developer` role; it is sent as `system`. */
  developerRole: boolean;
}

function upstreamMessages(messages: ChatMessage[], developerRole: boolean): ChatMessage[] {
  if (developerRole || !messages.some((message) => message.role === 'developer')) return messages;
  return messages.map((message) => (message.role === 'developer' ? { ...message, role: 'system' } : message));
}

/** The request body for `/chat/completions`. `extra` goes first so modelled fields win. */
export function chatBody(request: ChatRequest, options: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...request.extra,
    model: request.model,
    messages: upstreamMessages(request.messages, options.developerRole),
  };
  if (request.tools !== undefined) body.tools = request.tools;
  if (request.tool_choice !== undefined) body.tool_choice = request.tool_choice;
  if (request.parallel_tool_calls !== undefined) body.parallel_tool_calls = request.parallel_tool_calls;
  if (request.response_format !== undefined) body.response_format = request.response_format;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.max_tokens !== undefined) body[options.maxTokensField] = request.max_tokens;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  if (request.presence_penalty !== undefined) body.presence_penalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) body.frequency_penalty = request.frequency_penalty;
  if (options.stream) {
    body.stream = true;
    // Usage must always be known (budgets, prices), so it is asked for whatever the client said.
    body.stream_options = { include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  return body;
}

export function embeddingsBody(request: EmbeddingRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, input: request.input, encoding_format: 'float' };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  return body;
}

export function usageFromOpenAI(usage: OpenAIUsage | null | undefined): Usage | undefined {
  if (usage === null || usage === undefined) return undefined;
  if (usage.prompt_tokens == null && usage.completion_tokens == null) return undefined;
  const result: Usage = { input_tokens: usage.prompt_tokens ?? 0, output_tokens: usage.completion_tokens ?? 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (cached !== null && cached !== undefined) result.cached_input_tokens = cached;
  return result;
}

/** Anything unknown (`eos`, `abort`, null from lax servers) reads as a normal stop. */
export function finishReasonFromOpenAI(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function newToolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

export function chatResultFromOpenAI(completion: ChatCompletion, request: ChatRequest): ChatResult {
  const choice = completion.choices[0]!;
  const message: ChatResult['message'] = { role: 'assistant', content: choice.message.content ?? null };
  const calls = choice.message.tool_calls;
  if (calls !== null && calls !== undefined && calls.length > 0) {
    message.tool_calls = calls.map((call): ToolCall => ({
      id: call.id ?? newToolCallId(),
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments ?? '' },
    }));
  }
  if (choice.message.refusal !== null && choice.message.refusal !== undefined) message.refusal = choice.message.refusal;
  const result: ChatResult = {
    id: completion.id ?? `chatcmpl-${randomUUID()}`,
    model: completion.model ?? request.model,
    created: completion.created ?? Math.floor(Date.now() / 1000),
    message,
    finish_reason: finishReasonFromOpenAI(choice.finish_reason),
  };
  const usage = usageFromOpenAI(completion.usage);
  if (usage !== undefined) result.usage = usage;
  if (completion.system_fingerprint) result.system_fingerprint = completion.system_fingerprint;
  return result;
}

export function embeddingResultFromOpenAI(response: EmbeddingsResponse, request: EmbeddingRequest): EmbeddingResult {
  const rows = response.data.map((row, position) => ({ index: row.index ?? position, embedding: row.embedding }));
  rows.sort((a, b) => a.index - b.index);
  return {
    model: response.model ?? request.model,
    embeddings: rows.map((row) => row.embedding),
    usage: { input_tokens: response.usage?.prompt_tokens ?? 0 },
  };
}
