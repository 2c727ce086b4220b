/**
 * How an evaluation calls a model: always through the gateway, so that every call of an
 * experiment or a judge is routed, limited, priced and traced like production traffic. In the
 * server and the CLI the call goes to the gateway in-process (no HTTP hop, no key to hand out,
 * the same trace recorder); `HttpEvalClient` is for a Fener elsewhere, reached with a key.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { FenerError, newId } from '../core/index.js';
import { costOf, type Gateway } from '../gateway/index.js';
import type { Principal } from '../identity/index.js';
import type { ChatMessage, ChatRequest } from '../providers/index.js';
import type { VariantParameters } from './definition.js';

export interface CompletionRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  parameters: VariantParameters;
  /** Prompt variables, for `prompt:` and `deployment:` models. */
  variables?: Record<string, unknown> | undefined;
  /** Stored with the trace, e.g. `{run, variant, item}`. */
  metadata: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface Completion {
  output: string;
  inputTokens: number;
  outputTokens: number;
  /** USD from the serving model's price table (0 for a cache hit); null when the client cannot know. */
  costUsd: number | null;
  latencyMs: number;
  traceId: string | null;
}

export interface EvalClient {
  complete(request: CompletionRequest): Promise<Completion>;
  /** Throws for a model name no call could reach (a client that cannot tell without calling leaves this out). */
  checkModel?(model: string): void;
}

function chatRequest(request: CompletionRequest): ChatRequest {
  // Messages were checked for role and shape when the item was read; content is the caller's to choose.
  return { model: request.model, messages: request.messages as ChatMessage[], ...request.parameters };
}

export class GatewayEvalClient implements EvalClient {
  constructor(
    private readonly gateway: Gateway,
    private readonly principal: Principal,
  ) {}

  checkModel(model: string): void {
    this.gateway.checkModel(model);
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const startedAt = performance.now();
    const body = chatRequest(request);
    const completion = await this.gateway.chat(body, {
      principal: this.principal,
      requestId: newId('req'),
      endpoint: 'chat.completions',
      startedAt,
      requestBody: request.variables === undefined ? body : { ...body, fener: { variables: request.variables } },
      metadata: { fener_eval: request.metadata },
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.variables === undefined ? {} : { controls: { variables: request.variables } }),
    });
    const usage = completion.result.usage ?? { input_tokens: 0, output_tokens: 0 };
    const cached = completion.headers['x-fener-cache']?.endsWith('hit') === true;
    return {
      output: completion.result.message.content ?? '',
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      costUsd: cached || !completion.model ? 0 : costOf(usage, completion.model.price),
      latencyMs: performance.now() - startedAt,
      traceId: completion.traceId,
    };
  }
}

const openAiReply = z.looseObject({
  choices: z.array(z.looseObject({ message: z.looseObject({ content: z.string().nullable() }) })).min(1),
  usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});
const openAiError = z.looseObject({ error: z.looseObject({ message: z.string(), code: z.string().nullable().optional() }) });

/** Calls `/v1/chat/completions` of a Fener server with a key; the cost is not known on this path (null). */
export class HttpEvalClient implements EvalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    const startedAt = performance.now();
    const body = { ...chatRequest(request), ...(request.variables === undefined ? {} : { fener: { variables: request.variables } }) };
    const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.key}`,
        'content-type': 'application/json',
        'x-fener-metadata': JSON.stringify({ fener_eval: request.metadata }),
      },
      body: JSON.stringify(body),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = openAiError.safeParse(json);
      const message = parsed.success ? parsed.data.error.message : `HTTP ${response.status}`;
      const retryable = response.status === 429 || response.status >= 500;
      throw new FenerError(retryable ? 'upstream_error' : 'invalid_request', message, { retryable });
    }
    const reply = openAiReply.safeParse(json);
    if (!reply.success) throw new FenerError('upstream_error', 'the gateway answered with an unexpected body', { retryable: false });
    return {
      output: reply.data.choices[0]?.message.content ?? '',
      inputTokens: reply.data.usage?.prompt_tokens ?? 0,
      outputTokens: reply.data.usage?.completion_tokens ?? 0,
      costUsd: null,
      latencyMs: performance.now() - startedAt,
      traceId: response.headers.get('x-fener-trace-id'),
    };
  }
}

/** Calls with retries on retryable failures (exponential backoff, honouring Retry-After). */
export async function completeWithRetries(
  client: EvalClient,
  request: CompletionRequest,
  options: { retries: number; baseDelayMs?: number },
): Promise<Completion> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.complete(request);
    } catch (error) {
      const retryable = error instanceof FenerError && error.retryable;
      if (!retryable || attempt >= options.retries || request.signal?.aborted === true) throw error;
      const base = options.baseDelayMs ?? 200;
      const delay = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : base * 2 ** attempt * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, 30_000)));
    }
  }
}
