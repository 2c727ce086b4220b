import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import type { Principal } from '../../identity/index.js';
import type { TraceFilter } from '../../store/index.js';
import { defineRoute } from '../api-route.js';

/** A time bound as epoch milliseconds or an ISO 8601 date. */
const instant = z.string().transform((value, context) => {
  const number = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(number)) {
    context.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 date' });
    return z.NEVER;
  }
  return number;
});

const metadataFilter = z.string().transform((value, context) => {
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((item) => typeof item === 'string')
    ) {
      return parsed as Record<string, string>;
    }
  } catch {
    // reported below
  }
  context.addIssue({ code: 'custom', message: 'expected a JSON object of strings, e.g. {"feature":"search"}' });
  return z.NEVER;
});

const traceSchema = z.object({
  id: z.string(),
  trace_id: z.string(),
  request_id: z.string(),
  project_id: z.string(),
  key_id: z.string().nullable(),
  created_at: z.number().describe('epoch milliseconds'),
  endpoint: z.string(),
  model: z.string().describe('the model name the client asked for'),
  provider: z.string().nullable(),
  upstream_model: z.string().nullable(),
  status: z.enum(['ok', 'error']),
  http_status: z.number(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  end_user: z.string().nullable(),
  session_id: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  request_body: z.unknown(),
  response_body: z.unknown(),
  stream: z.boolean(),
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_input_tokens: z.number(),
  tokens_estimated: z.boolean().describe('true when the provider reported no usage and tokens were counted here'),
  cost_usd: z.number(),
  attempts: z.number().describe('upstream calls made, retries and fallbacks included'),
  cache_hit: z.enum(['exact', 'semantic']).nullable(),
  cost_saved_usd: z.number().describe('for cache hits: what the original call cost'),
});

/** The project a project key is confined to; undefined for the admin key. */
function projectScope(principal: Principal | undefined): string | undefined {
  if (principal === undefined || principal.kind === 'admin') return undefined;
  return principal.projectId ?? '';
}

const listTraces = defineRoute({
  method: 'GET',
  path: '/api/traces',
  summary: 'List traces, newest first, with filters and cursor pagination; a project key sees its own project only',
  tag: 'traces',
  auth: 'key',
  query: z.object({
    project: z.string().optional().describe('Project name'),
    model: z.string().optional(),
    key_id: z.string().optional(),
    user: z.string().optional().describe('End user (the `user` field or `x-fener-user` header)'),
    session_id: z.string().optional(),
    trace_id: z.string().optional(),
    status: z.enum(['ok', 'error']).optional(),
    from: instant.optional(),
    to: instant.optional(),
    metadata: metadataFilter.optional(),
    cursor: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  }),
  response: z.object({ data: z.array(traceSchema), next_cursor: z.string().nullable() }),
  async handler({ query, context, principal }) {
    const filter: TraceFilter = { limit: query.limit };
    if (query.project !== undefined) {
      const project = await context.store.projects.findByName(query.project);
      if (!project) throw new FenerError('not_found', `project "${query.project}" does not exist`, { param: 'project' });
      filter.projectId = project.id;
    }
    const scope = projectScope(principal);
    if (scope !== undefined) {
      if (filter.projectId !== undefined && filter.projectId !== scope) {
        throw new FenerError('forbidden', 'a project key sees the traces of its own project only', { param: 'project' });
      }
      filter.projectId = scope;
    }
    if (query.model !== undefined) filter.model = query.model;
    if (query.key_id !== undefined) filter.keyId = query.key_id;
    if (query.user !== undefined) filter.endUser = query.user;
    if (query.session_id !== undefined) filter.sessionId = query.session_id;
    if (query.trace_id !== undefined) filter.traceId = query.trace_id;
    if (query.status !== undefined) filter.status = query.status;
    if (query.from !== undefined) filter.from = query.from;
    if (query.to !== undefined) filter.to = query.to;
    if (query.metadata !== undefined) filter.metadata = query.metadata;
    if (query.cursor !== undefined) filter.cursor = query.cursor;
    return context.store.traces.list(filter);
  },
});

const getTrace = defineRoute({
  method: 'GET',
  path: '/api/traces/:id',
  summary: 'One trace in full: request, response, timing, tokens and cost; a project key sees its own project only',
  tag: 'traces',
  auth: 'key',
  params: z.object({ id: z.string().min(1) }),
  response: traceSchema,
  async handler({ params, context, principal }) {
    const trace = await context.store.traces.get(params.id);
    const scope = projectScope(principal);
    // Another project's trace is reported as missing, so ids cannot be probed across projects.
    if (!trace || (scope !== undefined && trace.project_id !== scope))
      throw new FenerError('not_found', `no trace with id "${params.id}"`, { param: 'id' });
    return trace;
  },
});

export const traceRoutes = [listTraces, getTrace];
