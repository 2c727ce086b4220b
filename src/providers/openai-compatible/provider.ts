/**
 * The one `Provider` implementation for OpenAI and every OpenAI-compatible server (vLLM, Ollama,
 * llama.cpp server, Groq, Together, ...). Vendors differ only by their settings object.
 */
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbeddingRequest,
  EmbeddingResult,
  Provider,
  ProviderType,
} from '../spec.js';
import { chatBody, chatResultFromOpenAI, embeddingResultFromOpenAI, embeddingsBody } from './convert.js';
import type { BodyOptions } from './convert.js';
import { UpstreamClient } from './http-client.js';
import type { UpstreamCall, UpstreamResponse } from './http-client.js';
import { readSse } from './sse.js';
import { OpenAIChunkReader } from './stream-events.js';
import { errorDetail, statusError, statusOfErrorType } from './upstream-errors.js';
import { summarizeIssues } from './body-parsing.js';
import { chatChunkSchema, chatCompletionSchema, embeddingsResponseSchema } from './wire-schemas.js';
import type { ChatChunk } from './wire-schemas.js';

/**
 * @example { id: 'groq', type: 'openai-compatible', baseUrl: 'https://api.groq.com/openai/v1',
 *            apiKey: process.env.GROQ_API_KEY, headers: {}, timeoutMs: 60_000, maxConnections: 64 }
 */
export interface OpenAICompatibleSettings {
  id: string;
  type: ProviderType;
  /** Base URL including the version path, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set (local servers usually need none). */
  apiKey?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxConnections: number;
  /** Defaults to `max_completion_tokens` for type `openai`, `max_tokens` for the others. */
  maxTokensField?: BodyOptions['maxTokensField'];
  /** Whether the upstream knows the `developer` role (default: only type `openai`). */
  developerRole?: boolean;
}

export function createOpenAICompatibleProvider(settings: OpenAICompatibleSettings): Provider {
  return new OpenAICompatibleProvider(settings);
}

class OpenAICompatibleProvider implements Provider {
  readonly id: string;
  readonly type: ProviderType;
  readonly #client: UpstreamClient;
  readonly #body: Omit<BodyOptions, 'stream'>;

  constructor(settings: OpenAICompatibleSettings) {
    this.id = settings.id;
    this.type = settings.type;
    const headers = { ...settings.headers };
    if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;
    this.#client = new UpstreamClient({
      baseUrl: settings.baseUrl,
      headers,
      timeoutMs: settings.timeoutMs,
      maxConnections: settings.maxConnections,
      upstream: `provider "${settings.id}"`,
    });
    const isOpenAI = settings.type === 'openai';
    this.#body = {
      maxTokensField: settings.maxTokensField ?? (isOpenAI ? 'max_completion_tokens' : 'max_tokens'),
      developerRole: settings.developerRole ?? isOpenAI,
    };
  }

  async chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
    const completion = await this.#client.postJson({
      path: '/chat/completions',
      body: chatBody(request, { ...this.#body, stream: false }),
      schema: chatCompletionSchema,
      what: 'chat completion',
      ...(options ? { options } : {}),
    });
    return chatResultFromOpenAI(completion, request);
  }

  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatStreamEvent> {
    return this.#stream(request, options);
  }

  async *#stream(request: ChatRequest, options: CallOptions | undefined): AsyncGenerator<ChatStreamEvent> {
    const call = this.#client.open(options);
    let response: UpstreamResponse | undefined;
    try {
      const body = chatBody(request, { ...this.#body, stream: true });
      response = await call.post('/chat/completions', body, 'text/event-stream');
      const reader = new OpenAIChunkReader(request.model);
      const events: ChatStreamEvent[] = [];
      let done = false;
      for await (const sse of readSse(response.body)) {
        // After `[DONE]` (or once complete) the body is still read to its end, so that the
        // connection goes back to the pool instead of being destroyed.
        if (done || reader.ended) continue;
        if (sse.data === '[DONE]') {
          done = true;
          continue;
        }
        reader.read(parseChunk(sse.data, call), events);
        if (reader.ended) continue;
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

  async embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResult> {
    const response = await this.#client.postJson({
      path: '/embeddings',
      body: embeddingsBody(request),
      schema: embeddingsResponseSchema,
      what: 'embeddings response',
      ...(options ? { options } : {}),
    });
    return embeddingResultFromOpenAI(response, request);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

/** One `data:` payload: a chunk, or an error the upstream reports after its 200. */
function parseChunk(data: string, call: UpstreamCall): ChatChunk {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw call.invalid(`sent a stream event that is not JSON: ${data.slice(0, 200)}`);
  }
  if (typeof json === 'object' && json !== null && 'error' in json) {
    const detail = errorDetail(json);
    const status = statusOfErrorType(detail.type, detail.code);
    throw statusError({ status, detail, upstream: call.upstream });
  }
  const parsed = chatChunkSchema.safeParse(json);
  if (!parsed.success) throw call.invalid(`sent an unexpected stream chunk (${summarizeIssues(parsed.error).message})`);
  return parsed.data;
}
