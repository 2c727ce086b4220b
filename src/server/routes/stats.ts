/**
 * `/api/stats/*`: the dashboard's numbers — time series, a summary and the top errors of a window.
 * The admin key sees every project (or one, with `project`); a project key sees its own only.
 */
import { z } from 'zod';
import { FenerError, type StatsPoint } from '../../core/index.js';
import type { Principal } from '../../identity/index.js';
import { bucketMs, histogramRelativeError, type StatsWindow } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';

/** At most this many buckets per series (per group): a chart has no use for more points. */
export const maxBuckets = 2_000;
const dayMs = 86_400_000;

/** A time bound as epoch milliseconds or an ISO 8601 date. */
const instant = z.string().transform((value, context) => {
  const number = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(number)) {
    context.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 date' });
    return z.NEVER;
  }
  return number;
});

const windowQuery = {
  from: instant.optional().describe('Start, inclusive: epoch ms or ISO 8601 (default: 24 hours before `to`)'),
  to: instant.optional().describe('End, exclusive: epoch ms or ISO 8601 (default: now)'),
  project: z.string().optional().describe('Project name (admin key only; a project key always sees its own)'),
};

const percentileNote = `percentiles are read from log-scale histograms, within ${(histogramRelativeError * 100).toFixed(1)}% of the exact value`;
const milliseconds = z.number().nullable();

const pointSchema = z.object({
  t: z.number().describe('bucket start, epoch ms (UTC-aligned); the bucket covers [t, t + size)'),
  group: z.string().nullable().describe('the group value (model, key id, deployment, project id); null when ungrouped or none'),
  requests: z.number(),
  errors: z.number(),
  p50_ms: milliseconds,
  p95_ms: milliseconds,
  p99_ms: milliseconds,
  ttft_p50_ms: milliseconds.describe('time to first token of streamed calls'),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
}) satisfies z.ZodType<StatsPoint>;

/** Resolves the window and the project the caller may see; refuses reversed or empty windows. */
async function resolveWindow(
  query: { from?: number | undefined; to?: number | undefined; project?: string | undefined },
  principal: Principal | undefined,
  context: ServerContext,
): Promise<StatsWindow> {
  const to = query.to ?? Date.now();
  const from = query.from ?? to - dayMs;
  if (!(from < to))
    throw new FenerError('invalid_request', `query.from (${from}) must be before query.to (${to})`, { param: 'query.from' });
  const window: StatsWindow = { from, to };
  if (query.project !== undefined) {
    const project = await context.store.projects.findByName(query.project);
    if (!project) throw new FenerError('not_found', `project "${query.project}" does not exist`, { param: 'query.project' });
    window.projectId = project.id;
  }
  if (principal !== undefined && principal.kind !== 'admin') {
    const own = principal.projectId ?? '';
    if (window.projectId !== undefined && window.projectId !== own) {
      throw new FenerError('forbidden', 'a project key sees the statistics of its own project only', { param: 'query.project' });
    }
    window.projectId = own;
  }
  return window;
}

const timeseries = defineRoute({
  method: 'GET',
  path: '/api/stats/timeseries',
  summary: `Requests, errors, latency and time-to-first-token percentiles, tokens and cost per time bucket, optionally per model, key, deployment or project; ${percentileNote}`,
  tag: 'stats',
  auth: 'key',
  query: z.object({
    ...windowQuery,
    bucket: z.enum(['minute', 'hour', 'day']).default('hour'),
    group_by: z.enum(['model', 'key', 'deployment', 'project']).optional(),
  }),
  response: z.object({ bucket_ms: z.number(), from: z.number(), to: z.number(), buckets: z.array(pointSchema) }),
  async handler({ query, principal, context }) {
    const window = await resolveWindow(query, principal, context);
    const size = bucketMs[query.bucket];
    const from = Math.floor(window.from / size) * size;
    const to = Math.ceil(window.to / size) * size;
    const count = (to - from) / size;
    if (count > maxBuckets) {
      throw new FenerError(
        'invalid_request',
        `the window holds ${count} ${query.bucket} buckets; at most ${maxBuckets} are allowed: choose a larger bucket or a shorter window`,
        { param: 'query.bucket' },
      );
    }
    const buckets = await context.store.traceStats.timeseries({
      ...window,
      bucket: query.bucket,
      ...(query.group_by === undefined ? {} : { groupBy: query.group_by }),
    });
    return { bucket_ms: size, from, to, buckets };
  },
});

const summary = defineRoute({
  method: 'GET',
  path: '/api/stats/summary',
  summary: `Totals and percentiles over a window (widened to whole minutes); ${percentileNote}`,
  tag: 'stats',
  auth: 'key',
  query: z.object(windowQuery),
  response: z.object({
    from: z.number(),
    to: z.number(),
    requests: z.number(),
    errors: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cost_usd: z.number(),
    avg_latency_ms: milliseconds,
    p50_ms: milliseconds,
    p95_ms: milliseconds,
    p99_ms: milliseconds,
    ttft_p50_ms: milliseconds,
    ttft_p95_ms: milliseconds,
  }),
  async handler({ query, principal, context }) {
    return context.store.traceStats.summary(await resolveWindow(query, principal, context));
  },
});

const topErrors = defineRoute({
  method: 'GET',
  path: '/api/stats/top-errors',
  summary: 'The most frequent errors (code and message) of failed calls in a window, with their count and last time (exact)',
  tag: 'stats',
  auth: 'key',
  query: z.object({ ...windowQuery, limit: z.coerce.number().int().min(1).max(100).default(10) }),
  response: z.object({
    data: z.array(z.object({ code: z.string(), message: z.string(), count: z.number(), last_at: z.number().describe('epoch ms') })),
  }),
  async handler({ query, principal, context }) {
    const window = await resolveWindow(query, principal, context);
    return { data: await context.store.traceStats.topErrors({ ...window, limit: query.limit }) };
  },
});

export const statsRoutes = [timeseries, summary, topErrors];
