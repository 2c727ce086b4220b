/**
 * The request path after HTTP: resolve the model, call the provider, and leave exactly one
 * trace and one metrics observation per call. Nothing here waits on the database.
 */
import { FenerError } from '../core/index.js';
import type { ChatRequest, ChatResult, ChatStreamEvent, EmbeddingRequest, EmbeddingResult } from '../providers/index.js';
import { CallRecord, type CallContext } from './call-record.js';
import type { GatewayMetrics } from './metrics.js';
import type { ModelCatalog, ResolvedModel } from './model-catalog.js';
import { StreamAssembler } from './stream-assembler.js';
import type { TraceRecorder } from './trace-recorder.js';
import { estimateInputTokens, estimateOutputTokens, countTextTokens } from './usage.js';

export interface GatewayDependencies {
  catalog: ModelCatalog;
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
      const model = this.deps.catalog.resolve(request.model, 'chat');
      call.model = model;
      const result = await model.provider.chat(upstreamRequest(request, model), callOptions(context));
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
      const model = this.deps.catalog.resolve(request.model, 'chat');
      call.model = model;
      const iterator = model.provider.chatStream(upstreamRequest(request, model), callOptions(context))[Symbol.asyncIterator]();
      const first = await iterator.next();
      return { model, traceId: call.id, events: this.follow({ first, iterator, call, request, context }) };
    } catch (error) {
      call.fail({ error });
      throw error;
    }
  }

  private async *follow(stream: {
    first: IteratorResult<ChatStreamEvent>;
    iterator: AsyncIterator<ChatStreamEvent>;
    call: CallRecord;
    request: ChatRequest;
    context: CallContext;
  }): AsyncGenerator<ChatStreamEvent> {
    const { iterator, call, request, context } = stream;
    const assembler = new StreamAssembler();
    const ttft = (): number | undefined => (assembler.firstTokenAt === undefined ? undefined : assembler.firstTokenAt - context.startedAt);
    try {
      for (let next = stream.first; !next.done; next = await iterator.next()) {
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
      const model = this.deps.catalog.resolve(request.model, 'embeddings');
      call.model = model;
      const result = await model.provider.embed({ ...request, model: model.upstreamModel }, callOptions(context));
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

  listModels(): ResolvedModel[] {
    return this.deps.catalog.list();
  }
}

function upstreamRequest(request: ChatRequest, model: ResolvedModel): ChatRequest {
  const upstream = { ...request, model: model.upstreamModel };
  if (upstream.max_tokens === undefined && model.maxOutputTokens !== undefined) upstream.max_tokens = model.maxOutputTokens;
  return upstream;
}

function callOptions(context: CallContext): { signal?: AbortSignal } {
  return context.signal ? { signal: context.signal } : {};
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
