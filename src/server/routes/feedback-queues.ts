/**
 * `/api/queues`: annotation queues. The admin key creates queues; any key of the queue's project
 * (or the admin key) adds items, fetches a reviewer's next item, submits, skips and reads
 * progress and agreement. Reviewers are names, listed on the queue.
 */
import { z } from 'zod';
import type { AnnotationQueue, QueueProgress, ScoreAgreement } from '../../core/index.js';
import { feedbackName, feedbackValueSchema, maxItemsPerAdd, QueueService } from '../../feedback/index.js';
import type { AnnotationItem, TraceFilter } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import { feedbackView, instant, projectOf, scopeOf } from './feedback.js';

const reviewerName = z.string().min(1).max(200);
const queueView = z.object({
  id: z.string(),
  name: z.string(),
  project_id: z.string(),
  description: z.string().nullable(),
  reviewers: z.array(z.string()),
  assignment: z.enum(['round_robin', 'explicit']),
  required_reviews: z.number(),
  score_name: z.string().nullable(),
  item_count: z.number(),
  created_at: z.number(),
  created_by: z.string(),
}) satisfies z.ZodType<AnnotationQueue>;
const itemView = z.object({
  id: z.string(),
  queue_id: z.string(),
  position: z.number(),
  source_kind: z.enum(['trace', 'dataset_item']),
  source_id: z.string(),
  input_text: z.string(),
  output_text: z.string().nullable(),
  created_at: z.number(),
}) satisfies z.ZodType<AnnotationItem>;
const progressView = z.object({
  total_items: z.number(),
  completed_items: z.number().describe('items with required_reviews answers'),
  reviewers: z.array(z.object({ reviewer: z.string(), assigned: z.number(), done: z.number(), skipped: z.number(), pending: z.number() })),
}) satisfies z.ZodType<QueueProgress>;
const queueParams = z.object({ queue: z.string().min(1) });
const itemParams = queueParams.extend({ item: z.string().min(1) });

const createQueue = defineRoute({
  method: 'POST',
  path: '/api/queues',
  summary: 'Create an annotation queue (audited)',
  tag: 'queues',
  auth: 'admin',
  status: 201,
  body: z
    .object({
      name: feedbackName,
      project: z.string().min(1).default('default'),
      description: z.string().max(2000).optional(),
      reviewers: z.array(reviewerName).min(1).max(1000),
      assignment: z.enum(['round_robin', 'explicit']).default('round_robin'),
      required_reviews_per_item: z.number().int().min(1).max(100).default(1),
      score_name: feedbackName
        .optional()
        .describe('the score definition reviewers answer with; when absent, every feedback kind is accepted'),
    })
    .strict(),
  response: queueView,
  async handler({ body, principal, context }) {
    const scope = scopeOf(principal);
    const projectId = (await projectOf(context, scope, body.project))!;
    return new QueueService(context.store).create(
      {
        name: body.name,
        projectId,
        reviewers: body.reviewers,
        assignment: body.assignment,
        requiredReviews: body.required_reviews_per_item,
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.score_name === undefined ? {} : { scoreName: body.score_name }),
      },
      scope,
    );
  },
});

const listQueues = defineRoute({
  method: 'GET',
  path: '/api/queues',
  summary: 'Annotation queues (a project key: its own project)',
  tag: 'queues',
  auth: 'key',
  query: z.object({ project: z.string().optional() }),
  response: z.object({ data: z.array(queueView) }),
  async handler({ query, principal, context }) {
    return { data: await context.store.annotationQueues.list(await projectOf(context, scopeOf(principal), query.project)) };
  },
});

const traceFilterInput = z
  .object({
    model: z.string().optional(),
    user: z.string().optional(),
    session_id: z.string().optional(),
    status: z.enum(['ok', 'error']).optional(),
    from: z.union([z.number().int().nonnegative(), instant]).optional(),
    to: z.union([z.number().int().nonnegative(), instant]).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict();

function traceFilter(input: z.infer<typeof traceFilterInput>): Omit<TraceFilter, 'projectId' | 'cursor' | 'limit'> {
  return {
    ...(input.model === undefined ? {} : { model: input.model }),
    ...(input.user === undefined ? {} : { endUser: input.user }),
    ...(input.session_id === undefined ? {} : { sessionId: input.session_id }),
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
    ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
  };
}

const addItems = defineRoute({
  method: 'POST',
  path: '/api/queues/:queue/items',
  summary: 'Add traces (by ids or by a filter) or dataset items (id and text) to a queue; items already in it are skipped',
  tag: 'queues',
  auth: 'key',
  params: queueParams,
  body: z
    .object({
      trace_ids: z.array(z.string().min(1)).max(maxItemsPerAdd).optional(),
      trace_filter: traceFilterInput.optional().describe("traces of the queue's project, newest first"),
      limit: z.number().int().min(1).max(maxItemsPerAdd).default(100).describe('at most this many traces from the filter'),
      dataset_items: z
        .array(z.object({ id: z.string().min(1), input_text: z.string(), output_text: z.string().nullable().optional() }).strict())
        .max(maxItemsPerAdd)
        .optional(),
      reviewers: z.array(reviewerName).min(1).optional().describe('explicit queues: who reviews these items'),
    })
    .strict()
    .refine(
      (body) => [body.trace_ids, body.trace_filter, body.dataset_items].filter((part) => part !== undefined).length === 1,
      'give one of trace_ids, trace_filter or dataset_items',
    ),
  response: z.object({ added: z.number(), skipped: z.number(), items: z.array(itemView) }),
  async handler({ params, body, principal, context }) {
    const scope = scopeOf(principal);
    const service = new QueueService(context.store);
    const queue = await service.get(params.queue, scope);
    const result =
      body.dataset_items !== undefined
        ? await service.addDatasetItems(queue, body.dataset_items, { ...scope, ...(body.reviewers ? { reviewers: body.reviewers } : {}) })
        : await service.addTraces(
            queue,
            {
              ...(body.trace_ids ? { traceIds: body.trace_ids } : {}),
              ...(body.trace_filter ? { filter: traceFilter(body.trace_filter), limit: body.limit } : {}),
              ...(body.reviewers ? { reviewers: body.reviewers } : {}),
            },
            scope,
          );
    return { added: result.added.length, skipped: result.skipped, items: result.added };
  },
});

const getQueue = defineRoute({
  method: 'GET',
  path: '/api/queues/:queue',
  summary: 'A queue with its progress',
  tag: 'queues',
  auth: 'key',
  params: queueParams,
  response: queueView.extend({ progress: progressView }),
  async handler({ params, principal, context }) {
    const service = new QueueService(context.store);
    const queue = await service.get(params.queue, scopeOf(principal));
    return { ...queue, progress: await service.progress(queue) };
  },
});

const nextItem = defineRoute({
  method: 'GET',
  path: '/api/queues/:queue/next',
  summary: "The reviewer's next item (null when none is left)",
  tag: 'queues',
  auth: 'key',
  params: queueParams,
  query: z.object({ reviewer: reviewerName }),
  response: z.object({ item: itemView.nullable() }),
  async handler({ params, query, principal, context }) {
    const service = new QueueService(context.store);
    return { item: await service.next(await service.get(params.queue, scopeOf(principal)), query.reviewer) };
  },
});

const submitItem = defineRoute({
  method: 'POST',
  path: '/api/queues/:queue/items/:item/submit',
  summary: "A reviewer's answer: stored as feedback on the item's trace (or dataset item)",
  tag: 'queues',
  auth: 'key',
  status: 201,
  params: itemParams,
  body: z.object({ reviewer: reviewerName }).and(feedbackValueSchema),
  response: feedbackView,
  async handler({ params, body, principal, context }) {
    const scope = scopeOf(principal);
    const service = new QueueService(context.store);
    const queue = await service.get(params.queue, scope);
    const { reviewer, ...value } = body;
    return service.submit(queue, { itemId: params.item, reviewer, value }, scope);
  },
});

const skipItem = defineRoute({
  method: 'POST',
  path: '/api/queues/:queue/items/:item/skip',
  summary: 'Skip an item; a round-robin queue hands it to another reviewer',
  tag: 'queues',
  auth: 'key',
  params: itemParams,
  body: z.object({ reviewer: reviewerName }).strict(),
  response: z.object({ reassigned_to: z.string().nullable() }),
  async handler({ params, body, principal, context }) {
    const service = new QueueService(context.store);
    return service.skip(await service.get(params.queue, scopeOf(principal)), { itemId: params.item, reviewer: body.reviewer });
  },
});

const agreementView = z.object({
  name: z.string(),
  kind: z.string(),
  reviewers: z.array(z.string()),
  items_compared: z.number(),
  percent_agreement: z.number().nullable(),
  cohens_kappa: z.number().nullable().describe('two reviewers only'),
  fleiss_kappa: z.number().nullable().describe('the same number of answers on every compared item'),
  krippendorff_alpha_nominal: z.number().nullable(),
  krippendorff_alpha_interval: z.number().nullable().describe('numeric scores only'),
}) satisfies z.ZodType<ScoreAgreement>;

const queueAgreement = defineRoute({
  method: 'GET',
  path: '/api/queues/:queue/agreement',
  summary: "Agreement between the queue's reviewers, per score name",
  tag: 'queues',
  auth: 'key',
  params: queueParams,
  response: z.object({ data: z.array(agreementView) }),
  async handler({ params, principal, context }) {
    const service = new QueueService(context.store);
    return { data: await service.agreement(await service.get(params.queue, scopeOf(principal))) };
  },
});

export const queueRoutes = [createQueue, listQueues, addItems, getQueue, nextItem, submitItem, skipItem, queueAgreement];
