/**
 * The adapter for Anthropic's Messages API, on the same HTTP client and error mapping as the
 * OpenAI-compatible base (shared from there because the two adapters differ only in wire format).
 */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { UpstreamClient, errorDetail, readSse, statusError, statusOfErrorType, summarizeIssues } from '../openai-compatible/shared.js';
import type { UpstreamCall, UpstreamResponse } from '../openai-compatible/shared.js';
import type { CallOptions, ChatRequest, ChatResult, ChatStreamEvent, EmbeddingResult, Provider } from '../spec.js';
import { anthropicBody } from './convert-request.js';
import { chatResultFromAnthropic } from './convert-response.js';
import { AnthropicEventReader } from './stream-events.js';
import { anthropicMessageSchema } from './wire-schemas.js';

export const anthropicVersion = '2023-06-01';

/** @example { id: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', apiKey, headers: {}, timeoutMs: 600_000, maxConnections: 256, defaultMaxTokens: 4096 } */
export interface AnthropicSettings {
  id: string;
  /** Base URL including the version path, e.g. `https://api.anthropic.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxConnections: number;
  /** Sent when a request sets no `max_tokens` (Anthropic requires one). */
  defaultMaxTokens: number;
}

export function createAnthropicProvider(settings: AnthropicSettings): Provider {
  return new AnthropicProvider(settings);
}

class AnthropicProvider implements Provider {
  readonly id: string;
  readonly type = 'anthropic' as const;
  readonly #client: UpstreamClient;
  readonly #defaultMaxTokens: number;

  constructor(settings: AnthropicSettings) {
    this.id = settings.id;
    this.#defaultMaxTokens = settings.defaultMaxTokens;
    const headers: Record<string, string> = { 'anthropic-version': anthropicVersion, ...settings.headers };
    if (settings.apiKey) headers['x-api-key'] = settings.apiKey;
    this.#client = new UpstreamClient({
      baseUrl: settings.baseUrl,
      headers,
      timeoutMs: settings.timeoutMs,
      maxConnections: settings.maxConnections,
      upstream: `provider "${settings.id}"`,
    });
  }

  async chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
    const message = await this.#client.postJson({
      path: '/messages',
      body: anthropicBody(request, { stream: false, defaultMaxTokens: this.#defaultMaxTokens }),
      schema: anthropicMessageSchema,
      what: 'message',
      ...(options ? { options } : {}),
    });
    return chatResultFromAnthropic(message, request.model);
  }

  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatStreamEvent> {
    return this.#stream(request, options);
  }

  async *#stream(request: ChatRequest, options: CallOptions | undefined): AsyncGenerator<ChatStreamEvent> {
    const call = this.#client.open(options);
    let response: UpstreamResponse | undefined;
    try {
      const body = anthropicBody(request, { stream: true, defaultMaxTokens: this.#defaultMaxTokens });
      response = await call.post('/messages', body, 'text/event-stream');
      const reader = new AnthropicEventReader(request.model);
      const events: ChatStreamEvent[] = [];
      for await (const sse of readSse(response.body)) {
        // Once complete, the rest of the body is still read so the connection returns to the pool.
        if (reader.ended) continue;
        readEvent(reader, sse.data, { call, events });
        for (const event of events) yield event;
        events.length = 0;
      }
      if (!reader.end(events)) throw call.invalid('ended the stream before the answer finished');
      for (const event of events) yield event;
    } catch (error) {
      throw call.fail(error);
    } finally {
      call.dispose();
      if (response !== undefined && !response.body.readableEnded) response.body.destroy();
    }
  }

  embed(): Promise<EmbeddingResult> {
    const message = `provider "${this.id}" is Anthropic, which offers no embeddings API`;
    return Promise.reject(new FenerError('invalid_request', message, { param: 'model' }));
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

const eventTypeSchema = z.object({ type: z.string() });

/** One SSE payload: its `type` comes from the JSON (Anthropic repeats it in `event:`). */
function readEvent(reader: AnthropicEventReader, data: string, context: { call: UpstreamCall; events: ChatStreamEvent[] }): void {
  const { call, events } = context;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw call.invalid(`sent a stream event that is not JSON: ${data.slice(0, 200)}`);
  }
  const typed = eventTypeSchema.safeParse(json);
  if (!typed.success) throw call.invalid('sent a stream event without a type');
  if (typed.data.type === 'error') {
    const detail = errorDetail(json);
    throw statusError({ status: statusOfErrorType(detail.type, detail.code), detail, upstream: call.upstream });
  }
  try {
    reader.read(typed.data.type, json, events);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw call.invalid(`sent an unexpected ${typed.data.type} event (${summarizeIssues(error).message})`);
    }
    throw error;
  }
}
