/**
 * The provider spec: the one contract between the gateway and every upstream. It depends on
 * no provider. The request and result shapes follow OpenAI's chat format (the lingua franca
 * the gateway speaks), typed and trimmed; adapters convert to and from their own wire format.
 */
import type { FenerError } from '../core/index.js';

export type JsonSchema = Record<string, unknown>;

export type ContentPart =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * One chat message.
 * @example { role: 'user', content: 'Hello' }
 * @example { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' }
 */
export type ChatMessage =
  | { role: 'system' | 'developer'; content: string | ContentPart[]; name?: string }
  | { role: 'user'; content: string | ContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | ContentPart[] | null;
      name?: string;
      tool_calls?: ToolCall[];
      refusal?: string | null;
    }
  | { role: 'tool'; content: string | ContentPart[]; tool_call_id: string };

/** @example { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } } */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: JsonSchema; strict?: boolean; description?: string } };

/**
 * What the gateway asks of a provider. `model` is the upstream model id, already resolved.
 * @example { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 16 }
 */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  user?: string;
  presence_penalty?: number;
  frequency_penalty?: number;
  /** Fields the gateway does not model, passed as they are to OpenAI-compatible upstreams. */
  extra?: Record<string, unknown>;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  /** Input tokens served from the provider's prompt cache (priced separately). */
  cached_input_tokens?: number;
}

/** One finish reason for every provider, in OpenAI's words. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatResult {
  id: string;
  model: string;
  created: number;
  message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null };
  finish_reason: FinishReason;
  /** Absent when the upstream did not report usage; the gateway then estimates it. */
  usage?: Usage;
  system_fingerprint?: string;
}

/** Events of a streamed chat, named noun-verb. A well-formed stream ends with `finish`. */
export type ChatStreamEvent =
  | { type: 'response-start'; id: string; model: string; created: number }
  | { type: 'text-delta'; text: string }
  | { type: 'refusal-delta'; text: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; arguments: string }
  | { type: 'finish'; finish_reason: FinishReason }
  | { type: 'usage'; usage: Usage };

/** @example { model: 'text-embedding-3-small', input: ['hello', 'world'] } */
export interface EmbeddingRequest {
  model: string;
  input: string[];
  dimensions?: number;
  user?: string;
}

export interface EmbeddingResult {
  model: string;
  embeddings: number[][];
  usage: { input_tokens: number };
}

export interface CallOptions {
  /** Aborted when the client goes away or a timeout fires; adapters must stop upstream work. */
  signal?: AbortSignal;
  /** Overall time limit for this call, in milliseconds. */
  timeoutMs?: number;
}

/**
 * The interface every adapter implements. Failures are thrown as `FenerError`s with an
 * `upstream_*` (or `invalid_request`, `context_length_exceeded`, `rate_limited`) code and
 * `retryable` set, so routing can decide on retries and fallbacks without knowing the provider.
 */
export interface Provider {
  readonly id: string;
  readonly type: ProviderType;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /** Errors before the first event are thrown from the first `next()`; later ones end the iteration by throwing. */
  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatStreamEvent>;
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResult>;
  close(): Promise<void>;
}

export type ProviderType = 'openai' | 'openai-compatible' | 'anthropic' | 'llama-cpp';

/** A type-only hint for adapters: what they throw. */
export type ProviderError = FenerError;
