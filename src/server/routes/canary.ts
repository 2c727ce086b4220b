/** `/api/deployments/:name/canary`: canary and A/B releases with automatic promotion or rollback. */
import { z } from 'zod';
import type { Canary } from '../../core/index.js';
import { CanaryService, canaryStartSchema } from '../../registry/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';
import { registryService } from './registry.js';

function canaryService(context: ServerContext): CanaryService {
  return new CanaryService(context.store, registryService(context));
}

const nameParams = z.object({ name: z.string().min(1) });

const canarySchema = z.object({
  id: z.string(),
  deployment: z.string(),
  status: z.enum(['pending', 'running', 'promoted', 'rolled_back', 'aborted']),
  baseline: z.string(),
  variants: z.array(z.object({ name: z.string(), percent: z.number(), version: z.number() })),
  settings: z.record(z.string(), z.unknown()).describe('The analysis settings, defaults filled in'),
  created_at: z.number(),
  created_by: z.string(),
  approved_by: z.string().nullable(),
  started_at: z.number().nullable(),
  ended_at: z.number().nullable(),
  ended_by: z.string().nullable(),
  end_reason: z.string().nullable(),
  latency_threshold_ms: z.number().nullable().describe('The latency bound, fixed after the baseline warm-up'),
  latency_snapshot: z.record(z.string(), z.object({ n: z.number(), over: z.number() })).nullable(),
  promotion_request: z.object({ variant: z.string(), requested_by: z.string(), at: z.number() }).nullable(),
  last_evaluation: z.unknown().describe('Counts, estimates, test statistics and thresholds per variant and signal'),
  evaluated_at: z.number().nullable(),
  decisions: z.array(
    z.object({
      seq: z.number(),
      at: z.number(),
      action: z.enum(['promote', 'rollback', 'abort']),
      actor: z.string(),
      evidence: z.unknown(),
    }),
  ),
}) satisfies z.ZodType<Canary>;

const startCanary = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/canary',
  summary: 'Start a canary or A/B release: variants share the traffic by percentage, sticky per user or session',
  tag: 'deployments',
  auth: 'admin',
  status: 201,
  params: nameParams,
  body: canaryStartSchema,
  response: canarySchema,
  handler: ({ params, body, principal, context }) => canaryService(context).start(params.name, body, principal!.id),
});

const getCanary = defineRoute({
  method: 'GET',
  path: '/api/deployments/:name/canary',
  summary: "The deployment's latest canary with its counters, last evaluation and decisions",
  tag: 'deployments',
  auth: 'admin',
  params: nameParams,
  response: canarySchema.extend({ counts: z.record(z.string(), z.record(z.string(), z.number())) }),
  async handler({ params, context }) {
    const { canary, counts } = await canaryService(context).status(params.name);
    return { ...canary, counts };
  },
});

const approveCanary = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/canary/approve',
  summary: 'Approve a pending canary (a different principal than its author); traffic splits at once',
  tag: 'deployments',
  auth: 'admin',
  params: nameParams,
  response: canarySchema,
  handler: ({ params, principal, context }) => canaryService(context).approve(params.name, principal!.id),
});

const promoteCanary = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/canary/promote',
  summary: 'Promote a variant by hand; under a policy requiring approval, a second principal must confirm',
  tag: 'deployments',
  auth: 'admin',
  params: nameParams,
  body: z
    .object({ variant: z.string().min(1).optional() })
    .strict()
    .optional(),
  response: z.object({ canary: canarySchema, awaiting_approval: z.boolean() }),
  handler: ({ params, body, principal, context }) =>
    canaryService(context).promote(params.name, { actor: principal!.id, ...(body?.variant ? { variant: body.variant } : {}) }),
});

const abortCanary = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/canary/abort',
  summary: 'Stop the canary; all traffic returns to the active version',
  tag: 'deployments',
  auth: 'admin',
  params: nameParams,
  response: canarySchema,
  handler: ({ params, principal, context }) => canaryService(context).abort(params.name, principal!.id),
});

const evaluateCanary = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/canary/evaluate',
  summary: 'Evaluate the running canary now (the background evaluator does this on a timer) and apply its decision',
  tag: 'deployments',
  auth: 'admin',
  params: nameParams,
  response: z.object({
    at: z.number(),
    decision: z.enum(['continue', 'promote', 'rollback']),
    variant: z.string().optional(),
    reason: z.string(),
    latency_threshold_ms: z.number().nullable(),
    comparisons: z.array(z.record(z.string(), z.unknown())),
  }),
  async handler({ params, context }) {
    const evaluation = await canaryService(context).evaluateNow(params.name, context.canaryEvaluator);
    return { ...evaluation, comparisons: evaluation.comparisons.map((comparison) => ({ ...comparison })) };
  },
});

const postSignals = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/canary/signals',
  summary: 'Feed scores (feedback, evaluator results) to a score source of the running canary',
  tag: 'deployments',
  auth: 'admin',
  status: 202,
  params: nameParams,
  body: z
    .object({
      source: z.string().min(1).describe('A key of analysis.scores, e.g. feedback'),
      observations: z
        .array(z.object({ variant: z.string().min(1), score: z.number() }).strict())
        .min(1)
        .max(10_000),
    })
    .strict(),
  response: z.object({ accepted: z.number() }),
  handler: ({ params, body, context }) => canaryService(context).addScores(params.name, body),
});

export const canaryRoutes = [startCanary, getCanary, approveCanary, promoteCanary, abortCanary, evaluateCanary, postSignals];
