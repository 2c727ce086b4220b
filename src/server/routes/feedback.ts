/**
 * `/api/feedback` and `/api/score-definitions`: feedback on traces, with any valid key. A project
 * key sees and writes only its own project (a trace of another project is the same 404 as an
 * unknown one); the admin key sees every project. Score definitions are changed with the admin key.
 */
import { z } from 'zod';
import { FenerError, type FeedbackSummary, type ScoreDefinition } from '../../core/index.js';
import {
  checkScoreDefinition,
  FeedbackService,
  feedbackName,
  feedbackValueSchema,
  scoreDefinitionFields,
  type FeedbackScope,
} from '../../feedback/index.js';
import type { Principal } from '../../identity/index.js';
import type { Feedback, FeedbackFilter } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';

/** A time bound as epoch milliseconds or an ISO 8601 date. */
export const instant = z.string().transform((value, context) => {
  const number = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(number)) {
    context.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 date' });
    return z.NEVER;
  }
  return number;
});

export function scopeOf(principal: Principal | undefined): FeedbackScope {
  if (!principal) throw new FenerError('unauthorized', 'this endpoint needs a key');
  return { actor: principal.id, projectId: principal.kind === 'admin' ? null : principal.projectId };
}

/**
 * The project a request is about: the named one (a project key may name only its own), else the
 * key's project; undefined for the admin key naming none (every project).
 */
export async function projectOf(context: ServerContext, scope: FeedbackScope, name: string | undefined): Promise<string | undefined> {
  if (name === undefined) return scope.projectId ?? undefined;
  const project = await context.store.projects.findByName(name);
  if (!project || (scope.projectId !== null && project.id !== scope.projectId)) {
    throw new FenerError('not_found', `project "${name}" does not exist`, { param: 'project' });
  }
  return project.id;
}

const sideView = z.object({ trace_id: z.string().nullable(), text: z.string().nullable() });
export const feedbackView = z.object({
  id: z.string(),
  project_id: z.string(),
  trace_id: z.string().nullable(),
  dataset_item_id: z.string().nullable(),
  queue_item_id: z.string().nullable(),
  kind: z.enum(['thumbs', 'score', 'label', 'correction', 'preference']),
  name: z.string(),
  value: z.number().nullable().describe('thumbs: 1 up, 0 down; score: the number'),
  label: z.string().nullable().describe('thumbs: up/down; label: the category'),
  correction: z.string().nullable(),
  preference: z.object({ chosen: sideView, rejected: sideView }).nullable(),
  comment: z.string().nullable(),
  author: z.string().nullable(),
  principal: z.string().describe('the key id that sent it'),
  created_at: z.number(),
}) satisfies z.ZodType<Feedback>;

export const feedbackFilterQuery = z.object({
  project: z.string().optional().describe('Project name (a project key: its own)'),
  trace_id: z.string().optional(),
  name: z.string().optional().describe('Score name (`thumbs`, `correction`, `preference` for those kinds)'),
  kind: z.enum(['thumbs', 'score', 'label', 'correction', 'preference']).optional(),
  author: z.string().optional(),
  from: instant.optional(),
  to: instant.optional(),
});

export async function feedbackFilter(
  context: ServerContext,
  scope: FeedbackScope,
  query: z.infer<typeof feedbackFilterQuery>,
): Promise<FeedbackFilter> {
  const filter: FeedbackFilter = {};
  const projectId = await projectOf(context, scope, query.project);
  if (projectId !== undefined) filter.projectId = projectId;
  if (query.trace_id !== undefined) filter.traceId = query.trace_id;
  if (query.name !== undefined) filter.name = query.name;
  if (query.kind !== undefined) filter.kind = query.kind;
  if (query.author !== undefined) filter.author = query.author;
  if (query.from !== undefined) filter.from = query.from;
  if (query.to !== undefined) filter.to = query.to;
  return filter;
}

const createFeedback = defineRoute({
  method: 'POST',
  path: '/api/feedback',
  summary: 'Feedback on a trace: thumbs, a score, a label, a correction or a preference between two outputs',
  tag: 'feedback',
  auth: 'key',
  status: 201,
  body: z.object({ trace_id: z.string().min(1).describe('the `x-fener-trace-id` of the call') }).and(feedbackValueSchema),
  response: feedbackView,
  handler: ({ body, principal, context }) => new FeedbackService(context.store).record(body, scopeOf(principal)),
});

const listFeedback = defineRoute({
  method: 'GET',
  path: '/api/feedback',
  summary: 'Feedback, newest first, with filters and cursor pagination',
  tag: 'feedback',
  auth: 'key',
  query: feedbackFilterQuery.extend({
    cursor: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
  }),
  response: z.object({ data: z.array(feedbackView), next_cursor: z.string().nullable() }),
  async handler({ query, principal, context }) {
    const filter = await feedbackFilter(context, scopeOf(principal), query);
    return context.store.feedback.list({ ...filter, limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  },
});

const summaryView = z.object({
  name: z.string(),
  kind: z.enum(['thumbs', 'score', 'label', 'correction', 'preference']),
  count: z.number(),
  mean: z.number().nullable().describe('scores: the mean; thumbs: the share of ups'),
  distribution: z.record(z.string(), z.number()).describe('value → count'),
}) satisfies z.ZodType<FeedbackSummary>;

const feedbackSummary = defineRoute({
  method: 'GET',
  path: '/api/feedback/summary',
  summary: 'Count, mean and distribution per score name',
  tag: 'feedback',
  auth: 'key',
  query: feedbackFilterQuery,
  response: z.object({ data: z.array(summaryView) }),
  async handler({ query, principal, context }) {
    return { data: await context.store.feedback.summary(await feedbackFilter(context, scopeOf(principal), query)) };
  },
});

const definitionView = z.object({
  name: z.string(),
  project_id: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  min: z.number().nullable(),
  max: z.number().nullable(),
  categories: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
  updated_by: z.string(),
}) satisfies z.ZodType<ScoreDefinition>;

const putDefinition = defineRoute({
  method: 'PUT',
  path: '/api/score-definitions/:name',
  summary: "Create or replace a project's score definition (audited)",
  tag: 'feedback',
  auth: 'admin',
  params: z.object({ name: feedbackName }),
  body: scoreDefinitionFields.extend({ project: z.string().min(1).default('default') }).superRefine(checkScoreDefinition),
  response: definitionView.extend({ created: z.boolean() }),
  async handler({ params, body, principal, context }) {
    const projectId = (await projectOf(context, scopeOf(principal), body.project))!;
    const { definition, created } = await context.store.feedback.defineScore({
      projectId,
      name: params.name,
      kind: body.kind,
      actor: principal!.id,
      ...(body.min === undefined ? {} : { min: body.min }),
      ...(body.max === undefined ? {} : { max: body.max }),
      ...(body.categories === undefined ? {} : { categories: body.categories }),
      ...(body.description === undefined ? {} : { description: body.description }),
    });
    return { ...definition, created };
  },
});

const listDefinitions = defineRoute({
  method: 'GET',
  path: '/api/score-definitions',
  summary: 'Score definitions (a project key: its own project)',
  tag: 'feedback',
  auth: 'key',
  query: z.object({ project: z.string().optional() }),
  response: z.object({ data: z.array(definitionView) }),
  async handler({ query, principal, context }) {
    return { data: await context.store.feedback.listScores(await projectOf(context, scopeOf(principal), query.project)) };
  },
});

const deleteDefinition = defineRoute({
  method: 'DELETE',
  path: '/api/score-definitions/:name',
  summary: 'Delete a score definition (audited); feedback already given keeps its values',
  tag: 'feedback',
  auth: 'admin',
  params: z.object({ name: z.string().min(1) }),
  query: z.object({ project: z.string().min(1).default('default') }),
  response: z.object({ deleted: z.literal(true) }),
  async handler({ params, query, principal, context }) {
    const projectId = (await projectOf(context, scopeOf(principal), query.project))!;
    const deleted = await context.store.feedback.deleteScore({ projectId, name: params.name, actor: principal!.id });
    if (!deleted)
      throw new FenerError('not_found', `project "${query.project}" has no score definition "${params.name}"`, { param: 'name' });
    return { deleted: true as const };
  },
});

export const feedbackRoutes = [createFeedback, listFeedback, feedbackSummary, putDefinition, listDefinitions, deleteDefinition];
