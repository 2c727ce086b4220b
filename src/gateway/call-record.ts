/**
 * One model call's bookkeeping: when it ends — well or badly — it becomes one trace record and
 * one metrics observation. Every path through the gateway ends in exactly one `finish`.
 */
import { performance } from 'node:perf_hooks';
import { isFenerError, newId } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import type { CachePolicy } from './cache/index.js';
import type { Usage } from '../providers/index.js';
import type { GatewayMetrics } from './metrics.js';
import type { ResolvedModel } from './model-catalog.js';
import type { TraceRecorder } from './trace-recorder.js';
import { costOf } from './usage.js';

export type Endpoint = 'chat.completions' | 'messages' | 'embeddings';

/** Who called and how; filled in by the HTTP layer from the request. */
export interface CallContext {
  principal: Principal;
  requestId: string;
  endpoint: Endpoint;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** The body as the client sent it, stored with the trace. */
  requestBody: unknown;
  endUser?: string;
  sessionId?: string;
  traceId?: string;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
  /** What the caller asked of the cache (`Cache-Control`, `x-fener-cache`, `x-fener-cache-ttl`). */
  cachePolicy?: CachePolicy;
  /** The body's `fener` field: Fener's own controls (cache opt-in, prompt variables). */
  controls?: Record<string, unknown>;
  /** Told the call's trace id as soon as it has one, so that error answers can carry it too. */
  onTraceId?: (id: string) => void;
}

export interface CallSuccess {
  usage: Usage;
  usageEstimated: boolean;
  response: unknown;
  ttftMs?: number;
  /** Answered from the cache: the call cost nothing and saved what the original cost. */
  cacheHit?: { kind: 'exact' | 'semantic'; savedCostUsd: number };
}

export interface CallFailure {
  error: unknown;
  /** What had been produced before the failure (a cut stream), for the trace. */
  partial?: unknown;
  usage?: Usage;
  ttftMs?: number;
}

export class CallRecord {
  /** The model that served the call (for a group, the target that answered). */
  model: ResolvedModel | undefined;
  /** The name the call was routed by, once it resolved (a model or a group). */
  routeName: string | undefined;
  /** Upstream calls made, retries and fallbacks included. */
  attempts = 0;
  private finished = false;
  readonly id = newId('trc');
  readonly createdAt = Date.now();

  private readonly sinks: { recorder: TraceRecorder; metrics: GatewayMetrics };
  private readonly context: CallContext;
  private readonly requestedModel: string;
  private readonly stream: boolean;

  constructor(options: {
    sinks: { recorder: TraceRecorder; metrics: GatewayMetrics };
    context: CallContext;
    model: string;
    stream: boolean;
  }) {
    this.sinks = options.sinks;
    this.context = options.context;
    this.requestedModel = options.model;
    this.stream = options.stream;
    options.context.onTraceId?.(this.id);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The call's cost from the price table of the model that served it (0 for cache hits). */
  costOf(usage: Usage): number {
    return this.model ? costOf(usage, this.model.price) : 0;
  }

  succeed(success: CallSuccess): void {
    this.finish({ status: 'ok', httpStatus: 200, ...success, error: undefined });
  }

  fail(failure: CallFailure): void {
    const error = failure.error;
    // A client that left is the cause, whatever the upstream call then failed with.
    const cancelled = this.context.signal?.aborted === true;
    const known = isFenerError(error) && !cancelled ? error : undefined;
    this.finish({
      status: 'error',
      // 499 is the conventional status for "the client closed the request".
      httpStatus: known?.status ?? (cancelled ? 499 : 500),
      error: {
        code: known?.code ?? (cancelled ? 'cancelled' : 'internal'),
        message: error instanceof Error ? error.message : String(error),
      },
      usage: failure.usage ?? { input_tokens: 0, output_tokens: 0 },
      usageEstimated: false,
      response: failure.partial ?? null,
      ...(failure.ttftMs === undefined ? {} : { ttftMs: failure.ttftMs }),
    });
  }

  private finish(outcome: {
    status: 'ok' | 'error';
    httpStatus: number;
    error: { code: string; message: string } | undefined;
    usage: Usage;
    usageEstimated: boolean;
    response: unknown;
    ttftMs?: number;
    cacheHit?: { kind: 'exact' | 'semantic'; savedCostUsd: number };
  }): void {
    if (this.finished) return;
    this.finished = true;
    const latencyMs = performance.now() - this.context.startedAt;
    const model = this.model;
    const costUsd = outcome.cacheHit ? 0 : this.costOf(outcome.usage);
    const context = this.context;
    this.sinks.recorder.record({
      id: this.id,
      trace_id: context.traceId ?? this.id,
      request_id: context.requestId,
      project_id: context.principal.projectId ?? 'admin',
      key_id: context.principal.id,
      created_at: this.createdAt,
      endpoint: context.endpoint,
      model: this.requestedModel,
      provider: model?.providerId ?? null,
      upstream_model: model?.upstreamModel ?? null,
      status: outcome.status,
      http_status: outcome.httpStatus,
      error_code: outcome.error?.code ?? null,
      error_message: outcome.error?.message ?? null,
      end_user: context.endUser ?? null,
      session_id: context.sessionId ?? null,
      metadata: context.metadata ?? null,
      request_body: context.requestBody,
      response_body: outcome.response,
      stream: this.stream ? 1 : 0,
      latency_ms: latencyMs,
      ttft_ms: outcome.ttftMs ?? null,
      input_tokens: outcome.usage.input_tokens,
      output_tokens: outcome.usage.output_tokens,
      cached_input_tokens: outcome.usage.cached_input_tokens ?? 0,
      tokens_estimated: outcome.usageEstimated ? 1 : 0,
      cost_usd: costUsd,
      attempts: this.attempts,
      cache_hit: outcome.cacheHit?.kind ?? null,
      cost_saved_usd: outcome.cacheHit?.savedCostUsd ?? 0,
    });
    this.sinks.metrics.observe({
      endpoint: context.endpoint,
      // Unresolved names stay out of the labels: clients could otherwise create series at will.
      model: this.routeName ?? 'unknown',
      provider: model?.providerId ?? 'none',
      status: outcome.status,
      ...(outcome.error ? { errorCode: outcome.error.code } : {}),
      latencySeconds: latencyMs / 1000,
      ...(outcome.ttftMs === undefined ? {} : { ttftSeconds: outcome.ttftMs / 1000 }),
      inputTokens: outcome.usage.input_tokens,
      outputTokens: outcome.usage.output_tokens,
      cachedInputTokens: outcome.usage.cached_input_tokens ?? 0,
      costUsd,
    });
  }
}
