/**
 * The request path after HTTP: resolve the model, call the provider, and leave exactly one
 * trace and one metrics observation per call. Nothing here waits on the database.
 */
import { FenerError } from '../core/index.js';
import type { ChatRequest, ChatResult, ChatStreamEvent, EmbeddingRequest, EmbeddingResult } from '../providers/index.js';
import { CallRecord, type CallContext } from './call-record.js';
import type { GatewayMetrics } from './metrics.js';
import type { ModelCatalog, ResolvedModel } from './model-catalog.js';
import type { RouteTable } from './routing/route-table.js';
import type { Router, RunOptions } from './routing/router.js';
import type { Target } from './routing/strategies.js';
import { StreamAssembler } from './stream-assembler.js';
import { openStream } from './stream-opening.js';
import type { TraceRecorder } from './trace-recorder.js';
import { estimateInputTokens, estimateOutputTokens, countTextTokens } from './usage.js';

export interface GatewayDependencies {
  catalog: ModelCatalog;
  routes: RouteTable;
  router: Router;
  recorder: TraceRecorder;
  metrics: GatewayMetrics;
}

export interface ChatCompletion {
  result: ChatResult;
  model: ResolvedModel;
  traceId: string;
}

export interface ChatStream {
  model: ResolvedModel;
  traceId: string;
  /** Ends with `finish` and then `usage` (estimated when the upstream sent none); throws if the upstream fails mid-way. */
  events: AsyncIterable<ChatStreamEvent>;
}

export interface Embeddings {
  result: EmbeddingResult;
  model: ResolvedModel;
  traceId: string;
}

export class Gateway {
  constructor(private readonly deps: GatewayDependencies) {}

  get catalog(): ModelCatalog {
    return this.deps.catalog;
  }

  private begin(context: CallContext, model: string, stream: boolean): CallRecord {
    return new CallRecord({ sinks: this.deps, context, model, stream });
  }

  async chat(request: ChatRequest, context: CallContext): Promise<ChatCompletion> {
    const call = this.begin(context, request.model, false);
    try {
      const route = this.deps.routes.resolve(request.model, 'chat');
      call.routeName = route.name;
      const routed = await this.deps.router.run(route, runOptions(request, context), ({ target, signal }) =>
        target.model.provider.chat(upstreamRequest(request, target.model), { signal, ...timeoutOf(target) }),
      );
      const model = routed.target.model;
      call.model = model;
      call.attempts = routed.attempts;
      const result = routed.value;
      const estimated = result.usage === undefined;
      const usage = result.usage ?? {
        input_tokens: estimateInputTokens(request.messages, request.tools),
        output_tokens: estimateOutputTokens(result.message),
      };
      const completed = { ...result, usage };
      call.succeed({ usage, usageEstimated: estimated, response: completed });
      return { result: completed, model, traceId: call.id };
    } catch (error) {
      call.fail({ error });
      throw error;
    }
  }

  /**
   * Opens a stream and waits for its first event, so that a failure before any byte reached
   * the client is still an ordinary error response (with its proper status).
   */
  async chatStream(request: ChatRequest, context: CallContext): Promise<ChatStream> {
    const call = this.begin(context, request.model, true);
    try {
      const route = this.deps.routes.resolve(request.model, 'chat');
      call.routeName = route.name;
      const routed = await this.deps.router.run(route, runOptions(request, context), ({ target, signal }) =>
        openStream(target.model.provider.chatStream(upstreamRequest(request, target.model), { signal }), {
          target: target.model.name,
          ...(target.ttftTimeoutMs === undefined ? {} : { ttftTimeoutMs: target.ttftTimeoutMs }),
        }),
      );
      const model = routed.target.model;
      call.model = model;
      call.attempts = routed.attempts;
      const { head, iterator } = routed.value;
      return { model, traceId: call.id, events: this.follow({ head, iterator, call, request, context }) };
    } catch (error) {
      call.fail({ error });
      throw error;
    }
  }

  private async *follow(stream: {
    head: ChatStreamEvent[];
    iterator: AsyncIterator<ChatStreamEvent>;
    call: CallRecord;
    request: ChatRequest;
    context: CallContext;
  }): AsyncGenerator<ChatStreamEvent> {
    const { iterator, call, request, context } = stream;
    const assembler = new StreamAssembler();
    const ttft = (): number | undefined => (assembler.firstTokenAt === undefined ? undefined : assembler.firstTokenAt - context.startedAt);
    try {
      for (const event of stream.head) {
        assembler.add(event);
        yield event;
      }
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        assembler.add(next.value);
        yield next.value;
      }
      if (assembler.finishReason === undefined) {
        throw new FenerError('upstream_error', 'the upstream stream ended before it finished');
      }
      const estimated = assembler.usage === undefined;
      const usage = assembler.usage ?? {
        input_tokens: estimateInputTokens(request.messages, request.tools),
        output_tokens: estimateOutputTokens(assembler.message),
      };
      if (estimated) yield { type: 'usage', usage };
      call.succeed({ usage, usageEstimated: estimated, response: { ...assembler.snapshot(), usage }, ...withTtft(ttft()) });
    } catch (error) {
      call.fail({ error, partial: assembler.snapshot(), ...withTtft(ttft()), ...partialUsage(assembler, request) });
      throw error;
    } finally {
      if (!call.isFinished) {
        // The client stopped reading (the consumer called return()): stop the upstream too.
        call.fail({ error: new Error('the client closed the stream'), partial: assembler.snapshot(), ...withTtft(ttft()) });
        await iterator.return?.();
      }
    }
  }

  async embed(request: EmbeddingRequest, context: CallContext): Promise<Embeddings> {
    const call = this.begin(context, request.model, false);
    try {
      const route = this.deps.routes.resolve(request.model, 'embeddings');
      call.routeName = route.name;
      const routed = await this.deps.router.run(route, { inputTokens: () => 0, ...signalOf(context) }, ({ target, signal }) =>
        target.model.provider.embed({ ...request, model: target.model.upstreamModel }, { signal, ...timeoutOf(target) }),
      );
      const model = routed.target.model;
      call.model = model;
      call.attempts = routed.attempts;
      const result = routed.value;
      const usage = { input_tokens: result.usage.input_tokens, output_tokens: 0 };
      call.succeed({
        usage,
        usageEstimated: false,
        response: { embeddings: result.embeddings.length, dimensions: result.embeddings[0]?.length ?? 0 },
      });
      return { result, model, traceId: call.id };
    } catch (error) {
      call.fail({ error });
      throw error;
    }
  }

  /** Models and groups a client may name, for `/v1/models`. */
  listModels(): { name: string; owner: string }[] {
    const models = this.deps.catalog.list().map((model) => ({ name: model.name, owner: model.providerId }));
    const groups = this.deps.routes.groupNames().map((name) => ({ name, owner: 'fener' }));
    return [...models, ...groups].sort((a, b) => a.name.localeCompare(b.name));
  }
}

function upstreamRequest(request: ChatRequest, model: ResolvedModel): ChatRequest {
  const upstream = { ...request, model: model.upstreamModel };
  if (upstream.max_tokens === undefined && model.maxOutputTokens !== undefined) upstream.max_tokens = model.maxOutputTokens;
  return upstream;
}

function signalOf(context: CallContext): { signal?: AbortSignal } {
  return context.signal ? { signal: context.signal } : {};
}

function timeoutOf(target: Target): { timeoutMs?: number } {
  return target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs };
}

function runOptions(request: ChatRequest, context: CallContext): RunOptions {
  let counted: number | undefined;
  return {
    ...signalOf(context),
    inputTokens: () => (counted ??= estimateInputTokens(request.messages, request.tools)),
    ...(request.max_tokens === undefined ? {} : { maxOutputTokens: request.max_tokens }),
  };
}

function withTtft(ttftMs: number | undefined): { ttftMs?: number } {
  return ttftMs === undefined ? {} : { ttftMs };
}

/** A stream cut mid-way still consumed tokens: count what was produced so its cost is not lost. */
function partialUsage(assembler: StreamAssembler, request: ChatRequest): { usage?: { input_tokens: number; output_tokens: number } } {
  if (assembler.usage) return { usage: assembler.usage };
  if (assembler.firstTokenAt === undefined) return {};
  return {
    usage: {
      input_tokens: estimateInputTokens(request.messages, request.tools),
      output_tokens: countTextTokens(assembler.message.content ?? ''),
    },
  };
}
