/**
 * Annotation queues: traces (by ids or by a trace filter) or dataset items (a reference and a
 * snapshot of their text, given by the caller: this module does not read datasets) are put in
 * front of reviewers, whose answers are feedback validated like any other.
 */
import { FenerError } from '../core/index.js';
import type {
  AnnotationItem,
  AnnotationQueue,
  Feedback,
  QueueAssignment,
  QueueItemInput,
  QueueProgress,
  Store,
  TraceFilter,
} from '../store/index.js';
import { agreementByScore, type ScoreAgreement } from './queue-agreement.js';
import type { FeedbackValue } from './schemas.js';
import { FeedbackService, type FeedbackScope } from './service.js';
import { messagesAsText, traceMessages, traceOutput } from './trace-text.js';

export interface QueueRequest {
  name: string;
  projectId: string;
  description?: string;
  reviewers: string[];
  assignment: QueueAssignment;
  requiredReviews: number;
  scoreName?: string;
}

export interface DatasetItemSnapshot {
  id: string;
  input_text: string;
  output_text?: string | null;
}

/** At most this many traces are taken by one filter, so one request stays bounded. */
export const maxItemsPerAdd = 5000;

export class QueueService {
  private readonly feedback: FeedbackService;

  constructor(private readonly store: Store) {
    this.feedback = new FeedbackService(store);
  }

  async create(request: QueueRequest, scope: FeedbackScope): Promise<AnnotationQueue> {
    if (scope.projectId !== null && scope.projectId !== request.projectId)
      throw new FenerError('forbidden', 'a project key manages only its own project');
    const reviewers = [...new Set(request.reviewers)];
    if (reviewers.length !== request.reviewers.length)
      throw new FenerError('invalid_request', 'reviewers: each reviewer once', { param: 'reviewers' });
    if (request.requiredReviews > reviewers.length) {
      throw new FenerError(
        'invalid_request',
        `required_reviews_per_item: ${request.requiredReviews} needs at least as many reviewers (${reviewers.length} given)`,
        {
          param: 'required_reviews_per_item',
        },
      );
    }
    if (request.scoreName !== undefined && !(await this.store.feedback.getScore(request.projectId, request.scoreName))) {
      throw new FenerError('invalid_request', `score_name: the project has no score definition "${request.scoreName}"`, {
        param: 'score_name',
      });
    }
    return this.store.annotationQueues.create({
      name: request.name,
      project_id: request.projectId,
      description: request.description ?? null,
      reviewers,
      assignment: request.assignment,
      required_reviews: request.requiredReviews,
      score_name: request.scoreName ?? null,
      actor: scope.actor,
    });
  }

  /** The queue, if the caller may see it; otherwise 404. */
  async get(name: string, scope: FeedbackScope): Promise<AnnotationQueue> {
    const queue = await this.store.annotationQueues.get(name);
    if (!queue || (scope.projectId !== null && queue.project_id !== scope.projectId)) {
      throw new FenerError('not_found', `no annotation queue named "${name}"`, { param: 'queue' });
    }
    return queue;
  }

  async addTraces(
    queue: AnnotationQueue,
    source: { traceIds?: string[]; filter?: Omit<TraceFilter, 'projectId' | 'cursor' | 'limit'>; limit?: number; reviewers?: string[] },
    scope: FeedbackScope,
  ): Promise<{ added: AnnotationItem[]; skipped: number }> {
    const items: QueueItemInput[] = [];
    for (const id of source.traceIds ?? []) {
      const trace = await this.feedback.visibleTrace(id, scope, 'trace_ids');
      if (trace.project_id !== queue.project_id) throw new FenerError('not_found', `no trace with id "${id}"`, { param: 'trace_ids' });
      items.push(traceItem(trace));
    }
    if (source.filter !== undefined) {
      const limit = Math.min(source.limit ?? 100, maxItemsPerAdd);
      let cursor: string | undefined;
      while (items.length < limit) {
        const page = await this.store.traces.list({
          ...source.filter,
          projectId: queue.project_id,
          limit: Math.min(500, limit - items.length),
          ...(cursor ? { cursor } : {}),
        });
        items.push(...page.data.map(traceItem));
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
    }
    return this.add(queue, items, { reviewers: source.reviewers, actor: scope.actor });
  }

  addDatasetItems(
    queue: AnnotationQueue,
    snapshots: DatasetItemSnapshot[],
    scope: FeedbackScope & { reviewers?: string[] },
  ): Promise<{ added: AnnotationItem[]; skipped: number }> {
    const items = snapshots.map((item) => ({
      sourceKind: 'dataset_item' as const,
      sourceId: item.id,
      inputText: item.input_text,
      outputText: item.output_text ?? null,
    }));
    return this.add(queue, items, { reviewers: scope.reviewers, actor: scope.actor });
  }

  async next(queue: AnnotationQueue, reviewer: string): Promise<AnnotationItem | null> {
    requireReviewer(queue, reviewer);
    return (await this.store.annotationQueues.next(queue.id, reviewer)) ?? null;
  }

  async submit(
    queue: AnnotationQueue,
    input: { itemId: string; reviewer: string; value: FeedbackValue },
    scope: FeedbackScope,
  ): Promise<Feedback> {
    requireReviewer(queue, input.reviewer);
    const item = await this.item(queue, input.itemId);
    const value = await this.feedback.resolve(input.value, { projectId: queue.project_id, scope, defaultName: queue.score_name });
    if (queue.score_name !== null && value.name !== queue.score_name) {
      throw new FenerError('invalid_request', `name: this queue collects "${queue.score_name}"`, { param: 'name' });
    }
    return this.store.annotationQueues.submit({
      item,
      reviewer: input.reviewer,
      feedback: {
        ...value,
        author: input.reviewer,
        project_id: queue.project_id,
        trace_id: item.source_kind === 'trace' ? item.source_id : null,
        dataset_item_id: item.source_kind === 'dataset_item' ? item.source_id : null,
        queue_item_id: item.id,
        principal: scope.actor,
      },
    });
  }

  async skip(queue: AnnotationQueue, input: { itemId: string; reviewer: string }): Promise<{ reassigned_to: string | null }> {
    requireReviewer(queue, input.reviewer);
    return this.store.annotationQueues.skip({ queue, item: await this.item(queue, input.itemId), reviewer: input.reviewer });
  }

  progress(queue: AnnotationQueue): Promise<QueueProgress> {
    return this.store.annotationQueues.progress(queue);
  }

  async agreement(queue: AnnotationQueue): Promise<ScoreAgreement[]> {
    return agreementByScore(await this.store.annotationQueues.ratings(queue.id));
  }

  private async add(
    queue: AnnotationQueue,
    items: QueueItemInput[],
    { reviewers, actor }: { reviewers: string[] | undefined; actor: string },
  ): Promise<{ added: AnnotationItem[]; skipped: number }> {
    if (items.length > maxItemsPerAdd)
      throw new FenerError('invalid_request', `at most ${maxItemsPerAdd} items per request`, { param: 'items' });
    if (queue.assignment === 'explicit') {
      if (reviewers === undefined || reviewers.length < queue.required_reviews) {
        throw new FenerError(
          'invalid_request',
          `reviewers: this queue assigns explicitly; name at least ${queue.required_reviews} reviewer(s)`,
          { param: 'reviewers' },
        );
      }
    } else if (reviewers !== undefined) {
      throw new FenerError('invalid_request', 'reviewers: this queue assigns round-robin; reviewers are named only for explicit queues', {
        param: 'reviewers',
      });
    }
    for (const reviewer of reviewers ?? []) requireReviewer(queue, reviewer, 'reviewers');
    return this.store.annotationQueues.addItems({ queue, items, ...(reviewers ? { reviewers } : {}), actor });
  }

  private async item(queue: AnnotationQueue, itemId: string): Promise<AnnotationItem> {
    const item = await this.store.annotationQueues.getItem(queue.id, itemId);
    if (!item) throw new FenerError('not_found', `queue "${queue.name}" has no item "${itemId}"`, { param: 'item' });
    return item;
  }
}

function requireReviewer(queue: AnnotationQueue, reviewer: string, param = 'reviewer'): void {
  if (!queue.reviewers.includes(reviewer))
    throw new FenerError('invalid_request', `${param}: "${reviewer}" is not a reviewer of queue "${queue.name}"`, { param });
}

function traceItem(trace: { id: string; request_body: unknown; response_body: unknown }): QueueItemInput {
  const messages = traceMessages(trace.request_body);
  return {
    sourceKind: 'trace',
    sourceId: trace.id,
    inputText: messages ? messagesAsText(messages) : JSON.stringify(trace.request_body),
    outputText: traceOutput(trace.response_body),
  };
}
