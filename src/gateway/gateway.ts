/**
 * The request path after HTTP: resolve the route, admit the call against limits and budgets,
 * answer from the cache or route it to a provider, and leave exactly one trace and one metrics
 * observation per call. Nothing here waits on the database.
 */
import { FenerError } from '../core/index.js';
import type { ChatRequest, ChatResult, ChatStreamEvent, EmbeddingRequest, EmbeddingResult } from '../providers/index.js';
import { replayAsStream } from './cache/index.js';
import type { CacheLookup, CacheStep } from './cache-step.js';
import { CallGuard } from './call-guard.js';
import { CallRecord, type CallContext } from './call-record.js';
import type { Limits } from './limits/index.js';
import type { GatewayMetrics } from './metrics.js';
import type { ModelCatalog, ResolvedModel } from './model-catalog.js';
import type { PiiGuard } from './pii-guard.js';
import type { RequestResolver } from './request-resolver.js';
import type { Route, RouteTable } from './routing/route-table.js';
import type { Router, RunOptions } from './routing/router.js';
import type { Target } from './routing/strategies.js';
import { followStream } from './stream-follower.js';
import { openStream } from './stream-opening.js';
import type { TraceRecorder } from './trace-recorder.js';
import { approximateInputTokens, estimateInputTokens, estimateOutputTokens } from './usage.js';

export interface GatewayDependencies {
  catalog: ModelCatalog;
  routes: RouteTable;
  router: Router;
  limits: Limits;
  cache: CacheStep;
  recorder: TraceRecorder;
  metrics: GatewayMetrics;
  onError: (error: unknown) => void;
  /** Resolvers of `prompt:` and `deployment:` names, registered by the modules that own them. */
  resolvers: RequestResolver[];
  /** The PII guardrail; without it requests pass unchanged. */
  pii?: PiiGuard;
}

/** What the HTTP layer sends with every answer. */
export interface CallOutcome {
  traceId: string;
  /** `x-ratelimit-*` and `x-fener-cache` headers. */
  headers: Record<string, string>;
}

export interface ChatCompletion extends CallOutcome {
  result: ChatResult;
  model: ResolvedModel | undefined;
}

export interface ChatStream extends CallOutcome {
  /** Ends with `finish` and `usage` (estimated when the upstream sent none); throws if the upstream fails mid-way. */
  events: AsyncIterable<ChatStreamEvent>;
}

export interface Embeddings extends CallOutcome {
  result: EmbeddingResult;
  model: ResolvedModel;
}

export class Gateway {
  constructor(private readonly deps: GatewayDependencies) {}

  get catalog(): ModelCatalog {
    return this.deps.catalog;
  }

  async chat(original: ChatRequest, context: CallContext): Promise<ChatCompletion> {
    const call = new CallRecord({ sinks: this.deps, context, model: original.model, stream: false });
    return this.tracked(call, async (hold) => {
      const { request, route, guard, lookup } = await this.prepareChat({ original, context, call, hold });
      if (lookup.hit) {
        call.succeed({ usage: usageOf(lookup.hit.result), usageEstimated: false, response: lookup.hit.result, cacheHit: lookup.hit });
        void guard.settle(undefined, 0);
        return {
          result: lookup.hit.result,
          model: undefined,
          traceId: call.id,
          headers: { ...guard.headers, 'x-fener-cache': lookup.hit.kind === 'exact' ? 'hit' : 'semantic-hit' },
        };
      }
      const routed = await this.deps.router.run(route, runOptions(request, context), ({ target, signal }) =>
        target.model.provider.chat(upstreamRequest(request, target.model), { signal, ...timeoutOf(target) }),
      );
      call.model = routed.target.model;
      call.attempts = routed.attempts;
      const estimated = routed.value.usage === undefined;
      const usage = routed.value.usage ?? {
        input_tokens: estimateInputTokens(request.messages, request.tools),
        output_tokens: estimateOutputTokens(routed.value.message),
      };
      const result = { ...routed.value, usage };
      call.succeed({ usage, usageEstimated: estimated, response: result });
      const cost = call.costOf(usage);
      void guard.settle(usage, cost);
      this.deps.cache.remember(lookup, result, cost);
      return {
        result,
        model: routed.target.model,
        traceId: call.id,
        headers: { ...guard.headers, ...(lookup.key ? { 'x-fener-cache': 'miss' } : {}) },
      };
    });
  }

  /**
   * Opens a stream and waits for its first token, so that a failure before any byte reached the
   * client is still an ordinary error response (with its proper status) or a silent fallback.
   */
  async chatStream(original: ChatRequest, context: CallContext): Promise<ChatStream> {
    const call = new CallRecord({ sinks: this.deps, context, model: original.model, stream: true });
    return this.tracked(call, async (hold) => {
      const { request, route, guard, lookup } = await this.prepareChat({ original, context, call, hold });
      const follow = { call, request, context, guard, cache: { step: this.deps.cache, lookup } };
      if (lookup.hit) {
        const iterator = replayAsStream(lookup.hit.result)[Symbol.asyncIterator]();
        const events = followStream({ ...follow, head: [], iterator, cacheHit: lookup.hit });
        return {
          traceId: call.id,
          events,
          headers: { ...guard.headers, 'x-fener-cache': lookup.hit.kind === 'exact' ? 'hit' : 'semantic-hit' },
        };
      }
      const routed = await this.deps.router.run(route, runOptions(request, context), ({ target, signal }) =>
        openStream(target.model.provider.chatStream(upstreamRequest(request, target.model), { signal }), {
          target: target.model.name,
          ...(target.ttftTimeoutMs === undefined ? {} : { ttftTimeoutMs: target.ttftTimeoutMs }),
        }),
      );
      call.model = routed.target.model;
      call.attempts = routed.attempts;
      const events = followStream({ ...follow, ...routed.value });
      return { traceId: call.id, events, headers: { ...guard.headers, ...(lookup.key ? { 'x-fener-cache': 'miss' } : {}) } };
    });
  }

  async embed(request: EmbeddingRequest, context: CallContext): Promise<Embeddings> {
    const call = new CallRecord({ sinks: this.deps, context, model: request.model, stream: false });
    return this.tracked(call, async (hold) => {
      const route = this.resolve(call, request.model, 'embeddings');
      const guard = hold(
        await CallGuard.admit({
          limits: this.deps.limits,
          principal: context.principal,
          route,
          inputTokens: () => 0,
          onError: this.deps.onError,
        }),
      );
      const routed = await this.deps.router.run(route, { inputTokens: () => 0, ...signalOf(context) }, ({ target, signal }) =>
        target.model.provider.embed({ ...request, model: target.model.upstreamModel }, { signal, ...timeoutOf(target) }),
      );
      call.model = routed.target.model;
      call.attempts = routed.attempts;
      const usage = { input_tokens: routed.value.usage.input_tokens, output_tokens: 0 };
      call.succeed({
        usage,
        usageEstimated: false,
        response: { embeddings: routed.value.embeddings.length, dimensions: routed.value.embeddings[0]?.length ?? 0 },
      });
      void guard.settle(usage, call.costOf(usage));
      return { result: routed.value, model: routed.target.model, traceId: call.id, headers: guard.headers };
    });
  }

  /** Models and groups a client may name, for `/v1/models`. */
  listModels(): { name: string; owner: string }[] {
    const models = this.deps.catalog.list().map((model) => ({ name: model.name, owner: model.providerId }));
    const groups = this.deps.routes.groupNames().map((name) => ({ name, owner: 'fener' }));
    return [...models, ...groups].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Throws what a call would (`model_not_found`, or a model that does not chat) for a name that is
   * neither a model nor a group, without calling anything: an experiment checks its variants before
   * it starts. A prefixed name (`prompt:`, `deployment:`) is its resolver's to check when called.
   */
  checkModel(name: string): void {
    if (this.deps.resolvers.some((resolver) => name.startsWith(resolver.prefix))) return;
    this.deps.routes.resolve(name, 'chat');
  }

  /** Shared by chat and streams: resolve the name, admit the call, look it up in the cache. */
  private async prepareChat(input: {
    original: ChatRequest;
    context: CallContext;
    call: CallRecord;
    hold: (guard: CallGuard) => CallGuard;
  }): Promise<{ request: ChatRequest; route: Route; guard: CallGuard; lookup: CacheLookup }> {
    const { context, call } = input;
    const { request: resolved, fallbacks, routeName } = await this.applyResolvers(input.original, context);
    // Before the cache too: neither the provider nor the cache key sees what the policy redacts.
    const request = this.deps.pii ? this.deps.pii.redactRequest(resolved, projectOf(context)) : resolved;
    const route =
      fallbacks && fallbacks.length > 0
        ? this.resolveChain(call, { name: routeName ?? request.model, models: [request.model, ...fallbacks] })
        : this.resolve(call, request.model, 'chat');
    const guard = input.hold(await this.admit(route, request, context));
    const lookup = await this.deps.cache.lookup({
      request,
      routeName: route.name,
      projectId: projectOf(context),
      policy: context.cachePolicy,
    });
    return { request, route, guard, lookup };
  }

  /** Runs a call's body; whatever fails is traced once and releases what the call had reserved. */
  private async tracked<T>(call: CallRecord, body: (hold: (guard: CallGuard) => CallGuard) => Promise<T>): Promise<T> {
    let guard = CallGuard.open;
    try {
      return await body((admitted) => (guard = admitted));
    } catch (error) {
      call.fail({ error });
      void guard.settle(undefined, 0);
      throw error;
    }
  }

  /** Turns a `prompt:` or `deployment:` name into a routable request; other names pass as they are. */
  private async applyResolvers(
    request: ChatRequest,
    context: CallContext,
  ): Promise<{ request: ChatRequest; fallbacks?: string[]; routeName?: string }> {
    const resolver = this.deps.resolvers.find((candidate) => request.model.startsWith(candidate.prefix));
    if (!resolver) return { request: requireMessages(request) };
    const resolved = await resolver.resolve({
      request,
      principal: context.principal,
      controls: context.controls,
      stickiness: context.endUser ?? context.sessionId ?? context.principal.id,
    });
    context.metadata = { ...context.metadata, fener: { ...(context.metadata?.fener as object | undefined), ...resolved.traceMetadata } };
    return {
      request: requireMessages(resolved.request),
      ...(resolved.fallbacks ? { fallbacks: resolved.fallbacks } : {}),
      ...(resolved.routeName ? { routeName: resolved.routeName } : {}),
    };
  }

  private resolveChain(call: CallRecord, chain: { name: string; models: string[] }): Route {
    const route = this.deps.routes.resolveChain(chain.name, chain.models, 'chat');
    call.routeName = route.name;
    return route;
  }

  private resolve(call: CallRecord, name: string, task: 'chat' | 'embeddings'): Route {
    const route = this.deps.routes.resolve(name, task);
    call.routeName = route.name;
    return route;
  }

  private admit(route: Route, request: ChatRequest, context: CallContext): Promise<CallGuard> {
    return CallGuard.admit({
      limits: this.deps.limits,
      principal: context.principal,
      route,
      inputTokens: runOptions(request, context).inputTokens,
      ...(request.max_tokens === undefined ? {} : { maxOutputTokens: request.max_tokens }),
      onError: this.deps.onError,
    });
  }
}

function requireMessages(request: ChatRequest): ChatRequest {
  if (request.messages.length === 0) throw new FenerError('invalid_request', 'at least one message is required', { param: 'messages' });
  return request;
}

function projectOf(context: CallContext): string {
  return context.principal.projectId ?? 'admin';
}

function usageOf(result: ChatResult): { input_tokens: number; output_tokens: number } {
  return result.usage ?? { input_tokens: 0, output_tokens: 0 };
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
    inputTokens: () => (counted ??= approximateInputTokens(request.messages, request.tools)),
    ...(request.max_tokens === undefined ? {} : { maxOutputTokens: request.max_tokens }),
  };
}
