/** Builds the gateway's long-lived parts from the configuration, and takes them down in order. */
import type { Logger } from 'pino';
import type { FenerConfig } from '../core/index.js';
import { createProvider, type Provider } from '../providers/index.js';
import type { SharedState } from '../state/index.js';
import { RevisionWatcher, type Store } from '../store/index.js';
import { ResponseCache, SemanticCache } from './cache/index.js';
import { CacheStep } from './cache-step.js';
import { Gateway } from './gateway.js';
import { Limits } from './limits/index.js';
import type { RequestResolver } from './request-resolver.js';
import { GatewayMetrics } from './metrics.js';
import { PiiGuard } from './pii-guard.js';
import { ModelCatalog } from './model-catalog.js';
import { RouteTable } from './routing/route-table.js';
import { Router } from './routing/router.js';
import { TargetStats } from './routing/target-stats.js';
import { TraceRecorder } from './trace-recorder.js';

export interface GatewayRuntime {
  gateway: Gateway;
  catalog: ModelCatalog;
  metrics: GatewayMetrics;
  recorder: TraceRecorder;
  /** Per-project PII policies and hash salts (salt = HMAC of FENER_SECRET_KEY and the project id). */
  pii: PiiGuard;
  /** Writes pending traces and releases upstream connections. */
  close(): Promise<void>;
}

export interface GatewayRuntimeOptions {
  config: FenerConfig;
  store: Store;
  /** Limits, budgets, circuits and cache, shared with other replicas when on Redis. */
  state: SharedState;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** How often model changes made by other processes are picked up. */
  pollIntervalMs?: number;
  processMetrics?: boolean;
  /** Resolvers of `prompt:` / `deployment:` names, from the modules above the gateway. */
  resolvers?: RequestResolver[];
}

export async function startGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { config, store, logger } = options;
  const providers = new Map<string, Provider>();
  for (const providerConfig of config.providers) {
    providers.set(providerConfig.id, createProvider(providerConfig, options.env ?? process.env));
  }
  const metrics = new GatewayMetrics({ processMetrics: options.processMetrics ?? true });
  const pii = new PiiGuard(store, (options.env ?? process.env).FENER_SECRET_KEY);
  await pii.refresh();
  const recorder = new TraceRecorder({
    store,
    metrics,
    logger,
    batchSize: config.tracing.batch_size,
    flushIntervalMs: config.tracing.flush_interval_ms,
    queueLimit: config.tracing.queue_limit,
    captureBodies: config.tracing.capture_bodies,
    redact: (trace) => pii.redactTrace(trace),
  });
  const catalog = new ModelCatalog(config, providers, store);
  await catalog.refresh();
  const watcher = new RevisionWatcher(store.revisions, {
    intervalMs: options.pollIntervalMs ?? 250,
    onChange: (topic) => {
      if (topic === 'models') void catalog.refresh().catch((error: unknown) => logger.error({ err: error }, 'reloading models failed'));
      if (topic === 'policies') void pii.refresh().catch((error: unknown) => logger.error({ err: error }, 'reloading PII policies failed'));
    },
    onError: (error) => logger.warn({ err: error }, 'polling for changes failed'),
  });
  await watcher.start();
  recorder.start();
  return {
    gateway: new Gateway({
      catalog,
      routes: new RouteTable(config.groups, catalog),
      router: new Router({ state: options.state, stats: new TargetStats() }),
      limits: new Limits({ state: options.state, spend: (query) => store.traces.spend(query) }),
      cache: createCacheStep(options, catalog),
      recorder,
      metrics,
      onError: (error) => logger.error({ err: error }, 'settling limits after a call failed'),
      resolvers: options.resolvers ?? [],
      pii,
    }),
    catalog,
    metrics,
    recorder,
    pii,
    async close() {
      watcher.stop();
      await recorder.close();
      await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
    },
  };
}

function createCacheStep(options: GatewayRuntimeOptions, catalog: ModelCatalog): CacheStep {
  const { config, state, logger } = options;
  if (!config.cache.enabled) return new CacheStep(undefined, undefined);
  const onError = (error: unknown, operation: string): void =>
    logger.warn({ err: error, operation }, 'response cache operation failed; treated as a miss');
  const responses = new ResponseCache({ state, config: config.cache, onError });
  const semanticConfig = config.cache.semantic;
  if (!semanticConfig.enabled || semanticConfig.embedding_model === undefined) return new CacheStep(responses, undefined);
  const embeddingModel = semanticConfig.embedding_model;
  const semantic = new SemanticCache({
    state,
    responses,
    config: semanticConfig,
    onError,
    embed: async (texts) => {
      const model = catalog.resolve(embeddingModel, 'embeddings');
      const result = await model.provider.embed({ model: model.upstreamModel, input: texts });
      return result.embeddings;
    },
  });
  return new CacheStep(responses, semantic);
}
