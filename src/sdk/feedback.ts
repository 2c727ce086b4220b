/**
 * Feedback on traces (`/api/feedback`, any key; a project key stays in its project), score
 * definitions, and annotation queues (`/api/queues`).
 */
import { queryString, type Transport } from './http.js';
import type { Page } from './types.js';

const segment = encodeURIComponent;

export type FeedbackKind = 'thumbs' | 'score' | 'label' | 'correction' | 'preference';

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

export interface Feedback {
  id: string;
  project_id: string;
  trace_id: string | null;
  dataset_item_id: string | null;
  queue_item_id: string | null;
  kind: FeedbackKind;
  name: string;
  /** thumbs: 1 up, 0 down; score: the number. */
  value: number | null;
  /** thumbs: up/down; label: the category. */
  label: string | null;
  correction: string | null;
  preference: {
    chosen: { trace_id: string | null; text: string | null };
    rejected: { trace_id: string | null; text: string | null };
  } | null;
  comment: string | null;
  author: string | null;
  /** The key id that sent it. */
  principal: string;
  created_at: number;
}

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

export interface FeedbackSummary {
  name: string;
  kind: FeedbackKind;
  count: number;
  /** Scores: the mean; thumbs: the share of ups. */
  mean: number | null;
  /** Value → count. */
  distribution: Record<string, number>;
}

export interface ScoreDefinition {
  name: string;
  project_id: string;
  kind: 'numeric' | 'categorical';
  min: number | null;
  max: number | null;
  categories: string[] | null;
  description: string | null;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

export interface AnnotationQueue {
  id: string;
  name: string;
  project_id: string;
  description: string | null;
  reviewers: string[];
  assignment: 'round_robin' | 'explicit';
  required_reviews: number;
  /** The score definition reviewers answer with; null when every feedback kind is accepted. */
  score_name: string | null;
  item_count: number;
  created_at: number;
  created_by: string;
}

export interface QueueProgress {
  total_items: number;
  /** Items with `required_reviews` answers. */
  completed_items: number;
  reviewers: { reviewer: string; assigned: number; done: number; skipped: number; pending: number }[];
}

export interface AnnotationItem {
  id: string;
  queue_id: string;
  position: number;
  source_kind: 'trace' | 'dataset_item';
  source_id: string;
  input_text: string;
  output_text: string | null;
  created_at: number;
}

/** Agreement between a queue's reviewers on one score name. */
export interface ScoreAgreement {
  name: string;
  kind: string;
  reviewers: string[];
  /** Items answered by two or more reviewers. */
  items_compared: number;
  percent_agreement: number | null;
  /** Two reviewers only. */
  cohens_kappa: number | null;
  fleiss_kappa: number | null;
  krippendorff_alpha_nominal: number | null;
  /** Numeric scores only. */
  krippendorff_alpha_interval: number | null;
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
