/**
 * The HTTP server: `/v1` (OpenAI-compatible gateway), `/api` (control plane), `/metrics`,
 * `/healthz`, `/readyz`, and the web console at `/`. Fastify was chosen for its measured speed, built-in body limits and
 * pino logging, and `close()` that drains in-flight requests.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FenerError, newId } from '../core/index.js';
import { defineRoute, openApiDocument, registerApiRoutes, type AnyApiRoute } from './api-route.js';
import type { ServerContext } from './context.js';
import { metricsText, shareRegistryWithPrimary } from './cluster-metrics.js';
import { registerConsole, type PageFallback } from './console.js';
import { installErrorBoundary } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { datasetRoutes } from './routes/datasets.js';
import { canaryRoutes } from './routes/canary.js';
import { deploymentRoutes } from './routes/deployments.js';
import { evalRoutes } from './routes/evals.js';
import { evalOnlineRoutes } from './routes/evals-online.js';
import { evalMetricRoutes } from './routes/evals-metrics.js';
import { queueRoutes } from './routes/feedback-queues.js';
import { feedbackDatasetRoutes } from './routes/feedback-to-dataset.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { modelRoutes } from './routes/models.js';
import { projectRoutes } from './routes/projects.js';
import { promptRoutes } from './routes/prompts.js';
import { registryRoutes } from './routes/registry.js';
import { sessionRoutes } from './routes/session.js';
import { statsRoutes } from './routes/stats.js';
import { piiRoutes } from './routes/pii.js';
import { traceRoutes } from './routes/traces.js';
import { registerV1Routes } from './v1/index.js';

const incomingRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export function apiRoutes(): AnyApiRoute[] {
  const routes: AnyApiRoute[] = [
    ...healthRoutes,
    ...sessionRoutes,
    ...projectRoutes,
    ...keyRoutes,
    ...modelRoutes,
    ...traceRoutes,
    ...statsRoutes,
    ...promptRoutes,
    ...registryRoutes,
    ...deploymentRoutes,
    ...canaryRoutes,
    ...auditRoutes,
    ...evalRoutes,
    ...evalOnlineRoutes,
    ...evalMetricRoutes,
    ...piiRoutes,
    ...feedbackRoutes,
    ...queueRoutes,
    ...feedbackDatasetRoutes,
    ...datasetRoutes,
  ];
  const openapi = defineRoute({
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This OpenAPI document',
    tag: 'meta',
    auth: 'public',
    response: z.object({ openapi: z.string() }).catchall(z.unknown()),
    async handler({ context }) {
      return openApiDocument(routes, context.version) as { openapi: string };
    },
  });
  routes.push(openapi);
  return routes;
}

/**
 * JSON bodies are parsed with plain `JSON.parse` (the bodies are validated by zod right after,
 * which also drops anything unexpected); an empty body is allowed so that a DELETE sent with
 * `content-type: application/json` by an eager client is not refused.
 */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new FenerError('invalid_json', 'The request body is not valid JSON.'), undefined);
    }
  });
}

export async function buildApp(context: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    // Per-request logging is ours: errors always, successes at debug level, to keep the hot path lean.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: context.config.server.body_limit_bytes,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && incomingRequestId.test(given) ? given : newId('req');
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
  });
  // The console registers last (its fallback must not shadow a route), the boundary first.
  const pages: { fallback?: PageFallback } = {};
  installErrorBoundary(app, (request, reply) => pages.fallback?.(request, reply) ?? false);
  installJsonParser(app);
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  if (context.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug(
        { requestId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
      done();
    });
  }
  registerApiRoutes(app, context, apiRoutes());
  shareRegistryWithPrimary(context.runtime.metrics.registry);
  app.get('/metrics', async (_request, reply) => {
    const text = await metricsText(context.runtime.metrics.registry);
    return reply.type(context.runtime.metrics.contentType).send(text);
  });
  registerV1Routes(app, context);
  const fallback = await registerConsole(app);
  if (fallback) pages.fallback = fallback;
  await app.ready();
  return app;
}
