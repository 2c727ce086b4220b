/**
 * `/api/evals`: experiments and their runs (started in the background of this process), per-item
 * results, paired comparisons, CI gates, model selection and judge agreement.
 */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import {
  attachToRegistry,
  compareRuns,
  evaluateGates,
  experimentSchema,
  ExperimentService,
  storedDatasets,
  GatewayEvalClient,
  humanLabelSchema,
  judgeAgreement,
  licencesOf,
  parseGate,
  selectModel,
  type RunSummary,
} from '../../evals/index.js';
import type { Principal } from '../../identity/index.js';
import type { EvalRun } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';

const services = new WeakMap<ServerContext, ExperimentService>();

/** The experiments of this server process (created on first use, stopped with the server). */
export function experimentService(context: ServerContext): ExperimentService {
  let service = services.get(context);
  if (!service) {
    const client = new GatewayEvalClient(context.runtime.gateway, internalPrincipal);
    service = new ExperimentService({ store: context.store, client, logger: context.logger, datasets: storedDatasets(context.store) });
    services.set(context, service);
  }
  return service;
}

/** Experiments started through the API run as the server itself: an admin of no project (the caller is recorded as the run's creator). */
export const internalPrincipal: Principal = {
  id: 'key_server_evals',
  projectId: null,
  name: 'fener evaluations',
  kind: 'admin',
  hint: 'evals',
  createdAt: 0,
  revokedAt: null,
  project: null,
};

const runSchema = z.object({
  id: z.string(),
  experiment: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  seed: z.number(),
  total_items: z.number().nullable(),
  results: z.number().describe('Results stored so far (items × variants)'),
  created_at: z.number(),
  updated_at: z.number(),
  finished_at: z.number().nullable(),
  created_by: z.string(),
  error: z.string().nullable(),
  config: z.record(z.string(), z.unknown()).describe('The experiment definition'),
  summary: z.record(z.string(), z.unknown()).nullable().describe('Aggregates per variant, with bootstrap intervals'),
});

async function runView(context: ServerContext, run: EvalRun): Promise<z.infer<typeof runSchema>> {
  return {
    id: run.id,
    experiment: run.experiment,
    status: run.status,
    seed: run.seed,
    total_items: run.totalItems,
    results: await context.store.evals.countResults(run.id),
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    finished_at: run.finishedAt,
    created_by: run.createdBy,
    error: run.error,
    config: run.config,
    summary: run.summary,
  };
}

async function completedSummary(context: ServerContext, id: string): Promise<RunSummary> {
  const run = await context.store.evals.requireRun(id);
  if (run.status !== 'completed' || run.summary === null) throw new FenerError('conflict', `run ${id} is ${run.status}`, { param: 'run' });
  return run.summary as unknown as RunSummary;
}

const runParams = z.object({ id: z.string().min(1) });

const startRun = defineRoute({
  method: 'POST',
  path: '/api/evals/runs',
  summary: 'Start an experiment run (items × variants through the gateway) in the background; poll it by id',
  tag: 'evals',
  auth: 'admin',
  status: 202,
  body: experimentSchema.describe('An experiment definition, as in eval.yaml'),
  response: runSchema,
  async handler({ body, principal, context }) {
    const run = await experimentService(context).start({ definition: body, actor: principal!.id });
    return runView(context, run);
  },
});

const resumeRun = defineRoute({
  method: 'POST',
  path: '/api/evals/runs/:id/resume',
  summary: 'Resume a stopped run: only the items it has not finished run',
  tag: 'evals',
  auth: 'admin',
  status: 202,
  params: runParams,
  response: runSchema,
  async handler({ params, principal, context }) {
    return runView(context, await experimentService(context).start({ resume: params.id, actor: principal!.id }));
  },
});

const cancelRun = defineRoute({
  method: 'POST',
  path: '/api/evals/runs/:id/cancel',
  summary: 'Stop a running run; it stays resumable',
  tag: 'evals',
  auth: 'admin',
  params: runParams,
  response: runSchema,
  async handler({ params, context }) {
    await experimentService(context).cancel(params.id);
    return runView(context, await context.store.evals.requireRun(params.id));
  },
});

const listRuns = defineRoute({
  method: 'GET',
  path: '/api/evals/runs',
  summary: 'Runs, newest first',
  tag: 'evals',
  auth: 'admin',
  query: z.object({ experiment: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
  response: z.object({ data: z.array(runSchema) }),
  async handler({ query, context }) {
    const runs = await context.store.evals.listRuns({
      ...(query.experiment === undefined ? {} : { experiment: query.experiment }),
      limit: query.limit,
    });
    return { data: await Promise.all(runs.map((run) => runView(context, run))) };
  },
});

const listExperiments = defineRoute({
  method: 'GET',
  path: '/api/evals/experiments',
  summary: 'Experiments (runs grouped by experiment name)',
  tag: 'evals',
  auth: 'admin',
  response: z.object({ data: z.array(z.object({ experiment: z.string(), runs: z.number(), last_run_at: z.number() })) }),
  async handler({ context }) {
    const experiments = await context.store.evals.listExperiments();
    return { data: experiments.map((entry) => ({ experiment: entry.experiment, runs: entry.runs, last_run_at: entry.lastRunAt })) };
  },
});

const getRun = defineRoute({
  method: 'GET',
  path: '/api/evals/runs/:id',
  summary: 'A run with its aggregates',
  tag: 'evals',
  auth: 'admin',
  params: runParams,
  response: runSchema,
  handler: async ({ params, context }) => runView(context, await context.store.evals.requireRun(params.id)),
});

const resultSchema = z.object({
  variant: z.string(),
  item_id: z.string(),
  item_index: z.number(),
  status: z.enum(['ok', 'error']),
  output: z.string().nullable(),
  scores: z.record(z.string(), z.number()),
  latency_ms: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number().nullable(),
  trace_id: z.string().nullable(),
  error: z.string().nullable(),
});

const listResults = defineRoute({
  method: 'GET',
  path: '/api/evals/runs/:id/results',
  summary: 'Per-item results in item order; page with after=next_after',
  tag: 'evals',
  auth: 'admin',
  params: runParams,
  query: z.object({
    variant: z.string().optional(),
    after: z.coerce.number().int().min(-1).default(-1).describe('Item index to continue after'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  }),
  response: z.object({ data: z.array(resultSchema), next_after: z.number().nullable() }),
  async handler({ params, query, context }) {
    await context.store.evals.requireRun(params.id);
    const page = await context.store.evals.listResults(params.id, {
      ...(query.variant === undefined ? {} : { variant: query.variant }),
      afterIndex: query.after,
      limit: query.limit + 1,
    });
    // A page ends at an item boundary, so that no item's variants are split across pages.
    const more = page.length > query.limit;
    const lastIndex = more ? page[query.limit - 1]!.itemIndex : null;
    const data = lastIndex === null ? page : page.filter((result) => result.itemIndex <= lastIndex);
    return {
      data: data.map((result) => ({
        variant: result.variant,
        item_id: result.itemId,
        item_index: result.itemIndex,
        status: result.status,
        output: result.output,
        scores: result.scores,
        latency_ms: result.latencyMs,
        input_tokens: result.inputTokens,
        output_tokens: result.outputTokens,
        cost_usd: result.costUsd,
        trace_id: result.traceId,
        error: result.error,
      })),
      next_after: lastIndex,
    };
  },
});

const side = z.strictObject({ run: z.string().min(1), variant: z.string().optional() });

const compare = defineRoute({
  method: 'POST',
  path: '/api/evals/compare',
  summary: 'Paired bootstrap of two runs (or two variants of one run) over the items both finished',
  tag: 'evals',
  auth: 'admin',
  body: z.strictObject({
    baseline: side,
    candidate: side,
    metric: z.string().optional().describe('The score whose per-item differences are listed'),
    limit: z.number().int().min(1).max(1000).default(20),
  }),
  response: z.looseObject({ paired_items: z.number(), metrics: z.record(z.string(), z.unknown()), items: z.array(z.unknown()) }),
  handler: async ({ body, context }) => ({
    ...(await compareRuns(context.store, {
      baseline:
        body.baseline.variant === undefined ? { run: body.baseline.run } : { run: body.baseline.run, variant: body.baseline.variant },
      candidate:
        body.candidate.variant === undefined ? { run: body.candidate.run } : { run: body.candidate.run, variant: body.candidate.variant },
      limit: body.limit,
      ...(body.metric === undefined ? {} : { metric: body.metric }),
    })),
  }),
});

const gates = defineRoute({
  method: 'POST',
  path: '/api/evals/runs/:id/gates',
  summary: 'Check gates ("rougeL>=0.40", "exact_match>=baseline-0.02") against a completed run',
  tag: 'evals',
  auth: 'admin',
  params: runParams,
  body: z.strictObject({ gates: z.array(z.string()).min(1), baseline: z.string().optional() }),
  response: z.object({
    passed: z.boolean(),
    results: z.array(
      z.object({
        gate: z.string(),
        variant: z.string(),
        passed: z.boolean(),
        actual: z.number().nullable(),
        threshold: z.number().nullable(),
        message: z.string(),
      }),
    ),
  }),
  async handler({ params, body, context }) {
    const parsed = body.gates.map(parseGate);
    const summary = await completedSummary(context, params.id);
    const baseline = body.baseline === undefined ? undefined : await completedSummary(context, body.baseline);
    const results = evaluateGates(parsed, summary, baseline);
    return { passed: results.every((result) => result.passed), results };
  },
});

const select = defineRoute({
  method: 'POST',
  path: '/api/evals/runs/:id/select',
  summary: 'Model selection over a run: quality vs cost vs latency, Pareto front, recommendation; optionally attached to the registry',
  tag: 'evals',
  auth: 'admin',
  params: runParams,
  body: z.strictObject({
    quality: z.string().min(1),
    min_quality: z.number().optional(),
    max_cost_per_item_usd: z.number().nonnegative().optional(),
    max_latency_p95_ms: z.number().positive().optional(),
    licences: z.array(z.string().min(1)).optional(),
    attach: z.boolean().default(false).describe('Record the results as evaluations of the registry versions evaluated'),
  }),
  response: z.looseObject({ recommendation: z.string().nullable(), pareto: z.array(z.string()), rows: z.array(z.unknown()) }),
  async handler({ params, body, principal, context }) {
    const summary = await completedSummary(context, params.id);
    const licences = await licencesOf(
      context.store,
      context.runtime.catalog,
      summary.variants.map((variant) => variant.model),
    );
    const selection = selectModel(
      summary,
      {
        quality: body.quality,
        ...(body.min_quality === undefined ? {} : { minQuality: body.min_quality }),
        ...(body.max_cost_per_item_usd === undefined ? {} : { maxCostPerItemUsd: body.max_cost_per_item_usd }),
        ...(body.max_latency_p95_ms === undefined ? {} : { maxLatencyP95Ms: body.max_latency_p95_ms }),
        ...(body.licences === undefined ? {} : { licences: body.licences }),
      },
      licences,
    );
    const registry = body.attach ? await attachToRegistry(context.store, summary, principal!.id) : undefined;
    return { ...selection, ...(registry ? { registry } : {}) };
  },
});

const agreement = defineRoute({
  method: 'POST',
  path: '/api/evals/runs/:id/agreement',
  summary: "Agreement of a judge's scores in a run with human labels: Cohen's kappa (optionally weighted) and Spearman's rho",
  tag: 'evals',
  auth: 'admin',
  params: runParams,
  body: z.strictObject({
    judge: z.string().min(1),
    labels: z.array(humanLabelSchema).min(1),
    weights: z.enum(['none', 'linear', 'quadratic']).default('quadratic'),
  }),
  response: z.looseObject({
    n: z.number(),
    kappa: z.number().nullable(),
    weighted_kappa: z.number().nullable(),
    spearman: z.number().nullable(),
  }),
  handler: async ({ params, body, context }) => ({
    ...(await judgeAgreement(context.store, { run: params.id, judge: body.judge, labels: body.labels, weights: body.weights })),
  }),
});

export const evalRoutes = [
  startRun,
  listRuns,
  getRun,
  resumeRun,
  cancelRun,
  listResults,
  listExperiments,
  compare,
  gates,
  select,
  agreement,
];
