/**
 * Feedback on traces (`/api/feedback`, any key; a project key stays in its project), score
 * definitions, and annotation queues (`/api/queues`).
 */
import type {
  AnnotationItem,
  AnnotationQueue,
  Feedback,
  FeedbackKind,
  FeedbackSummary,
  QueueProgress,
  ScoreAgreement,
  ScoreDefinition,
} from '../core/contracts.js';
import { queryString, type Transport } from './http.js';

export type { AnnotationItem, AnnotationQueue, Feedback, FeedbackKind, FeedbackSummary, QueueProgress, ScoreAgreement, ScoreDefinition };
import type { Page } from './types.js';

const segment = encodeURIComponent;

interface FeedbackCommon {
  comment?: string;
  /** Who gave it (e.g. your end user id); the key is recorded anyway. */
  author?: string;
}

type PreferenceSide = { trace_id: string } | { text: string };

/** One piece of feedback, without what it is about. */
export type FeedbackValue = FeedbackCommon &
  (
    | { kind: 'thumbs'; name?: string; value: 'up' | 'down' }
    | { kind: 'score'; name?: string; value: number }
    | { kind: 'label'; name?: string; label: string }
    | { kind: 'correction'; name?: string; correction: string }
    | { kind: 'preference'; name?: string; a: PreferenceSide; b: PreferenceSide; chosen: 'a' | 'b' }
  );

export interface FeedbackQuery {
  project?: string;
  trace_id?: string;
  name?: string;
  kind?: FeedbackKind;
  author?: string;
  from?: number;
  to?: number;
  cursor?: string;
  limit?: number;
}

/** A score definition as sent: a numeric range, or categories to choose from. */
export type ScoreDefinitionInput = { project?: string; description?: string } & (
  { kind: 'numeric'; min?: number; max?: number } | { kind: 'categorical'; categories: string[] }
);

export interface CreateQueueInput {
  name: string;
  project?: string;
  description?: string;
  reviewers: string[];
  /** round_robin (default): items are dealt in turn; explicit: each item names its reviewers. */
  assignment?: 'round_robin' | 'explicit';
  required_reviews_per_item?: number;
  /** The score definition reviewers answer with; absent: every feedback kind is accepted. */
  score_name?: string;
}

/** Filters over the queue's project's traces, newest first. */
export interface QueueTraceFilter {
  model?: string;
  user?: string;
  session_id?: string;
  status?: 'ok' | 'error';
  /** Epoch ms or an ISO instant. */
  from?: number | string;
  to?: number | string;
  metadata?: Record<string, string>;
}

/** Exactly one of `trace_ids`, `trace_filter` (with `limit`, default 100) or `dataset_items`. */
export type AddQueueItemsInput = { reviewers?: string[] } & (
  | { trace_ids: string[] }
  | { trace_filter: QueueTraceFilter; limit?: number }
  | { dataset_items: { id: string; input_text: string; output_text?: string | null }[] }
);

export interface FeedbackApi {
  /** Feedback on a trace (its `x-fener-trace-id`). */
  create(traceId: string, value: FeedbackValue): Promise<Feedback>;
  list(query?: FeedbackQuery): Promise<Page<Feedback>>;
  summary(query?: Omit<FeedbackQuery, 'cursor' | 'limit'>): Promise<{ data: FeedbackSummary[] }>;
  scoreDefinitions(query?: { project?: string }): Promise<{ data: ScoreDefinition[] }>;
  /** Creates or replaces a project's score definition (admin key); `created` tells which. */
  defineScore(name: string, input: ScoreDefinitionInput): Promise<ScoreDefinition & { created: boolean }>;
  deleteScore(name: string, query?: { project?: string }): Promise<{ deleted: true }>;
}

export interface QueuesApi {
  list(query?: { project?: string }): Promise<{ data: AnnotationQueue[] }>;
  get(queue: string): Promise<AnnotationQueue & { progress: QueueProgress }>;
  /** A new queue (admin key). */
  create(input: CreateQueueInput): Promise<AnnotationQueue>;
  /** Items already in the queue are skipped and counted. */
  addItems(queue: string, input: AddQueueItemsInput): Promise<{ added: number; skipped: number; items: AnnotationItem[] }>;
  /** The reviewer's next item; null when none is left. */
  next(queue: string, reviewer: string): Promise<{ item: AnnotationItem | null }>;
  /** A reviewer's answer, stored as feedback on the item's trace (or dataset item). */
  submit(queue: string, item: string, answer: FeedbackValue & { reviewer: string }): Promise<Feedback>;
  skip(queue: string, item: string, reviewer: string): Promise<{ reassigned_to: string | null }>;
  agreement(queue: string): Promise<{ data: ScoreAgreement[] }>;
}

/** @example await fener.feedback.create(traceId, { kind: 'thumbs', value: 'up', comment: 'spot on' }); */
export function feedbackApi(http: Transport): FeedbackApi {
  return {
    create: (traceId, value) => http.request('POST', '/api/feedback', { body: { trace_id: traceId, ...value } }),
    list: (query = {}) => http.request('GET', `/api/feedback${queryString({ ...query })}`),
    summary: (query = {}) => http.request('GET', `/api/feedback/summary${queryString({ ...query })}`),
    scoreDefinitions: (query = {}) => http.request('GET', `/api/score-definitions${queryString(query)}`),
    defineScore: (name, input) => http.request('PUT', `/api/score-definitions/${segment(name)}`, { body: input }),
    deleteScore: (name, query = {}) => http.request('DELETE', `/api/score-definitions/${segment(name)}${queryString(query)}`),
  };
}

/**
 * @example
 * const { item } = await fener.queues.next('helpfulness-review', 'ann');
 * if (item) await fener.queues.submit('helpfulness-review', item.id, { reviewer: 'ann', kind: 'score', value: 4 });
 */
export function queuesApi(http: Transport): QueuesApi {
  const base = (queue: string): string => `/api/queues/${segment(queue)}`;
  return {
    list: (query = {}) => http.request('GET', `/api/queues${queryString(query)}`),
    get: (queue) => http.request('GET', base(queue)),
    create: (input) => http.request('POST', '/api/queues', { body: input }),
    addItems: (queue, input) => http.request('POST', `${base(queue)}/items`, { body: input }),
    next: (queue, reviewer) => http.request('GET', `${base(queue)}/next${queryString({ reviewer })}`),
    submit: (queue, item, answer) => http.request('POST', `${base(queue)}/items/${segment(item)}/submit`, { body: answer }),
    skip: (queue, item, reviewer) => http.request('POST', `${base(queue)}/items/${segment(item)}/skip`, { body: { reviewer } }),
    agreement: (queue) => http.request('GET', `${base(queue)}/agreement`),
  };
}
