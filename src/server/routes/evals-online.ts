/**
 * `/api/evals/online`: evaluators that score a sample of live traces in the background, and the
 * scores they gave (keyed by trace id, to be read beside human feedback).
 */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { GatewayEvalClient, OnlineEvaluation, onlineEvaluatorSchema, parseOnlineEvaluator } from '../../evals/index.js';
import type { OnlineEvaluatorRecord } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';
import { objectName } from './registry.js';
import { experimentService, internalPrincipal } from './evals.js';

/** Starts the online evaluation loop of this server; `stop` also cancels experiments running here (they stay resumable). */
export function startEvalBackground(context: ServerContext): { stop(): Promise<void> } {
  const online = new OnlineEvaluation({
    store: context.store,
    client: new GatewayEvalClient(context.runtime.gateway, internalPrincipal),
    logger: context.logger,
    // Traces older than a few recorder flushes are surely written.
    settleMs: Math.max(5000, context.config.tracing.flush_interval_ms * 10),
  });
  online.start();
  return {
    async stop() {
      await online.stop();
      await experimentService(context).stop();
    },
  };
}

const evaluatorSchema = z.object({
  name: z.string(),
  sample_rate: z.number(),
  enabled: z.boolean(),
  definition: z.record(z.string(), z.unknown()),
  cursor: z.object({ at: z.number(), id: z.string() }).describe('The last trace considered'),
  created_at: z.number(),
  updated_at: z.number(),
});

function evaluatorView(record: OnlineEvaluatorRecord): z.infer<typeof evaluatorSchema> {
  return {
    name: record.name,
    sample_rate: record.sampleRate,
    enabled: record.enabled,
    definition: record.definition,
    cursor: record.cursor,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

const putEvaluator = defineRoute({
  method: 'PUT',
  path: '/api/evals/online/evaluators/:name',
  summary: 'Create or replace an online evaluator (a reference-free metric or a judge, on a sample of live traces)',
  tag: 'evals',
  auth: 'admin',
  params: z.object({ name: objectName }),
  body: onlineEvaluatorSchema,
  response: evaluatorSchema,
  async handler({ params, body, principal, context }) {
    const definition = parseOnlineEvaluator(body);
    const saved = await context.store.evals.saveEvaluator({
      name: params.name,
      definition: definition as unknown as Record<string, unknown>,
      sampleRate: definition.sample_rate,
      enabled: definition.enabled,
    });
    await context.store.audit.append({
      actor: principal!.id,
      action: 'evaluator.set',
      objectType: 'online_evaluator',
      objectId: params.name,
      before: null,
      after: definition,
    });
    return evaluatorView(saved);
  },
});

const listEvaluators = defineRoute({
  method: 'GET',
  path: '/api/evals/online/evaluators',
  summary: 'Online evaluators, with how many traces each scored and the mean score',
  tag: 'evals',
  auth: 'admin',
  response: z.object({
    data: z.array(evaluatorSchema.extend({ scored: z.number(), mean: z.number().nullable() })),
  }),
  async handler({ context }) {
    const [evaluators, summary] = await Promise.all([context.store.evals.listEvaluators(), context.store.evals.onlineSummary()]);
    return {
      data: evaluators.map((record) => {
        const stats = summary.find((entry) => entry.evaluator === record.name);
        return { ...evaluatorView(record), scored: stats?.count ?? 0, mean: stats?.mean ?? null };
      }),
    };
  },
});

const deleteEvaluator = defineRoute({
  method: 'DELETE',
  path: '/api/evals/online/evaluators/:name',
  summary: 'Remove an online evaluator (its scores are kept)',
  tag: 'evals',
  auth: 'admin',
  params: z.object({ name: z.string().min(1) }),
  response: z.object({ deleted: z.boolean() }),
  async handler({ params, principal, context }) {
    const before = await context.store.evals.getEvaluator(params.name);
    if (!before) throw new FenerError('not_found', `no online evaluator "${params.name}"`, { param: 'name' });
    await context.store.evals.deleteEvaluator(params.name);
    await context.store.audit.append({
      actor: principal!.id,
      action: 'evaluator.delete',
      objectType: 'online_evaluator',
      objectId: params.name,
      before: before.definition,
      after: null,
    });
    return { deleted: true };
  },
});

const listScores = defineRoute({
  method: 'GET',
  path: '/api/evals/online/scores',
  summary: 'Scores given to live traces, newest first',
  tag: 'evals',
  auth: 'admin',
  query: z.object({
    trace_id: z.string().optional(),
    evaluator: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
  }),
  response: z.object({
    data: z.array(
      z.object({
        trace_id: z.string(),
        evaluator: z.string(),
        score: z.number().nullable(),
        details: z.record(z.string(), z.unknown()).nullable(),
        created_at: z.number(),
      }),
    ),
  }),
  async handler({ query, context }) {
    const scores = await context.store.evals.listOnlineScores({
      ...(query.trace_id === undefined ? {} : { traceId: query.trace_id }),
      ...(query.evaluator === undefined ? {} : { evaluator: query.evaluator }),
      limit: query.limit,
    });
    return {
      data: scores.map((score) => ({
        trace_id: score.traceId,
        evaluator: score.evaluator,
        score: score.score,
        details: score.details,
        created_at: score.createdAt,
      })),
    };
  },
});

export const evalOnlineRoutes = [putEvaluator, listEvaluators, deleteEvaluator, listScores];
