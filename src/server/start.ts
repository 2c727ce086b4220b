/** Starting and stopping a whole Fener server: store, identity, gateway, HTTP — in that order. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FenerConfig } from '../core/index.js';
import { startGatewayRuntime } from '../gateway/index.js';
import { Authenticator, bootstrapIdentity, type BootstrapResult } from '../identity/index.js';
import { PromptResolver } from '../prompts/index.js';
import { CanaryCounters, CanaryEvaluator, RegistryRouting } from '../registry/index.js';
import { createSharedState } from '../state/index.js';
import { openStore } from '../store/index.js';
import { buildApp } from './app.js';
import type { ServerContext } from './context.js';
import { startEvalBackground } from './routes/evals-online.js';

export interface StartServerOptions {
  config: FenerConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Listen on the configured host and port (default). Tests may use `inject` instead. */
  listen?: boolean;
  /** Collect Node process metrics (default true; tests starting many servers turn it off). */
  processMetrics?: boolean;
  /** Canary counters' flush and evaluator intervals (defaults 1 s and 5 s; tests shorten them). */
  canary?: { flushIntervalMs?: number; evaluateIntervalMs?: number };
}

export interface RunningServer {
  app: FastifyInstance;
  context: ServerContext;
  bootstrap: BootstrapResult;
  /** `http://host:port` once listening. */
  url: string;
  /** Stops accepting, drains in-flight requests, writes pending traces, closes the database. */
  close(): Promise<void>;
}

export const version: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const store = await openStore({
    ...(config.database_url ? { databaseUrl: config.database_url } : {}),
    dataDir: config.data_dir,
    traceWriteThread: true,
  });
  const adminSecret = env.FENER_ADMIN_KEY || undefined;
  const bootstrap = await bootstrapIdentity(store, adminSecret);
  const authenticator = new Authenticator(store, {
    ...(adminSecret ? { adminSecret } : {}),
    onError: (error) => logger.warn({ err: error }, 'polling key changes failed'),
  });
  await authenticator.start();
  const state = createSharedState({ ...(config.redis_url ? { redisUrl: config.redis_url } : {}), logger });
  const prompts = new PromptResolver(store, { onError: (error) => logger.warn({ err: error }, 'polling prompt changes failed') });
  const registry = new RegistryRouting(store, {
    onError: (error) => logger.warn({ err: error }, 'polling registry changes failed'),
    prompts,
  });
  await registry.start();
  const runtime = await startGatewayRuntime({
    config,
    store,
    state,
    logger,
    env,
    processMetrics: options.processMetrics ?? true,
    resolvers: [prompts, ...registry.resolvers],
  });
  const counters = new CanaryCounters(store, {
    ...(options.canary?.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.canary.flushIntervalMs }),
    onError: (error) => logger.warn({ err: error }, 'writing canary counters failed; kept for the next flush'),
  });
  const stopCounting = runtime.recorder.onRecord(counters.observe);
  counters.start();
  const canaryEvaluator = new CanaryEvaluator(store, {
    counters,
    ...(options.canary?.evaluateIntervalMs === undefined ? {} : { intervalMs: options.canary.evaluateIntervalMs }),
    onError: (error) => logger.error({ err: error }, 'evaluating a canary failed'),
    onDecision: (canary, evaluation) =>
      logger.info(
        { deployment: canary.deployment, canary: canary.id, decision: evaluation.decision, reason: evaluation.reason },
        'canary decided',
      ),
  });
  canaryEvaluator.start();
  const context: ServerContext = { config, store, authenticator, runtime, logger, version, canaryEvaluator };
  const app = await buildApp(context);
  const evals = startEvalBackground(context);
  let url = '';
  if (options.listen !== false) {
    url = await app.listen({ host: config.server.host, port: config.server.port });
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const grace = setTimeout(() => app.server.closeAllConnections(), config.server.shutdown_grace_ms);
      grace.unref();
      // Connections whose requests finish during the drain turn idle; close them as they do, so
      // the drain ends with the last request rather than at the grace limit.
      const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
      sweeper.unref();
      await app.close();
      await evals.stop();
      clearTimeout(grace);
      clearInterval(sweeper);
      authenticator.stop();
      prompts.stop();
      registry.stop();
      canaryEvaluator.stop();
      await runtime.close();
      stopCounting();
      await counters.stop();
      await state.close();
      await store.close();
    })();
    return closing;
  };
  return { app, context, bootstrap, url, close };
}
