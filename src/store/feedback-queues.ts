/**
 * Annotation queues: items (references to traces or dataset items, with a snapshot of the text
 * reviewers see), assigned to reviewers round-robin or explicitly, `required_reviews` per item.
 * Creating a queue and adding items are audited; a reviewer's answer is a feedback row written
 * in the same transaction that closes the assignment, so an item is never answered twice.
 */
import type { Kysely } from 'kysely';
import {
  FenerError,
  newId,
  type AnnotationItem,
  type AnnotationQueue,
  type QueueAssignment,
  type QueueProgress,
  type QueueSourceKind,
} from '../core/index.js';
import type { AuditRepository } from './audit.js';
import type { Feedback, FeedbackInput, FeedbackRepository } from './feedback.js';
import type { AnnotationItemsTable, AnnotationQueuesTable } from './feedback-tables.js';
import type { Database } from './schema.js';

export type { AnnotationItem, AnnotationQueue, QueueAssignment, QueueProgress, QueueSourceKind };

export interface QueueItemInput {
  sourceKind: QueueSourceKind;
  sourceId: string;
  inputText: string;
  outputText: string | null;
}

/** One answer in a queue, as agreement statistics need it. */
export interface QueueRating {
  item_id: string;
  reviewer: string;
  kind: string;
  name: string;
  value: number | null;
  label: string | null;
}

const newQueueId = (prefix: 'anq' | 'ani'): string => `${prefix}_${newId('mdl').slice(4)}`;

export class AnnotationQueueRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
    private readonly feedback: FeedbackRepository,
  ) {}

  create(input: Omit<AnnotationQueue, 'id' | 'item_count' | 'created_at' | 'created_by'> & { actor: string }): Promise<AnnotationQueue> {
    return this.audit.change(async (trx) => {
      const taken = await trx.selectFrom('annotation_queues').select('id').where('name', '=', input.name).executeTakeFirst();
      if (taken) throw new FenerError('conflict', `an annotation queue named "${input.name}" exists`, { param: 'name' });
      const row: AnnotationQueuesTable = {
        id: newQueueId('anq'),
        name: input.name,
        project_id: input.project_id,
        description: input.description,
        reviewers: JSON.stringify(input.reviewers),
        assignment: input.assignment,
        required_reviews: input.required_reviews,
        score_name: input.score_name,
        item_count: 0,
        created_at: Date.now(),
        created_by: input.actor,
      };
      await trx.insertInto('annotation_queues').values(row).execute();
      const queue = toQueue(row);
      const { id: _id, created_at: _at, ...after } = queue;
      const audit = {
        actor: input.actor,
        action: 'queue.create',
        objectType: 'annotation_queue',
        objectId: queue.name,
        before: null,
        after,
      };
      return { result: queue, audit: [audit] };
    });
  }

  async get(name: string): Promise<AnnotationQueue | undefined> {
    const row = await this.db.selectFrom('annotation_queues').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toQueue(row);
  }

  async list(projectId?: string): Promise<AnnotationQueue[]> {
    let query = this.db.selectFrom('annotation_queues').selectAll();
    if (projectId !== undefined) query = query.where('project_id', '=', projectId);
    return (await query.orderBy('name').execute()).map(toQueue);
  }

  /**
   * Adds items (those already in the queue are skipped) and assigns each to reviewers: the next
   * `required_reviews` reviewers in round-robin order, or every reviewer named in `reviewers`.
   */
  addItems(input: {
    queue: AnnotationQueue;
    items: QueueItemInput[];
    reviewers?: string[];
    actor: string;
  }): Promise<{ added: AnnotationItem[]; skipped: number }> {
    const { queue } = input;
    return this.audit.change(async (trx) => {
      const wanted = dedupe(input.items);
      const existing = new Set<string>();
      for (let start = 0; start < wanted.length; start += 500) {
        const ids = wanted.slice(start, start + 500).map((item) => item.sourceId);
        const rows = await trx
          .selectFrom('annotation_items')
          .select(['source_kind', 'source_id'])
          .where('queue_id', '=', queue.id)
          .where('source_id', 'in', ids)
          .execute();
        for (const row of rows) existing.add(`${row.source_kind}:${row.source_id}`);
      }
      const fresh = wanted.filter((item) => !existing.has(`${item.sourceKind}:${item.sourceId}`));
      if (fresh.length === 0) return { result: { added: [], skipped: input.items.length }, audit: [] };
      // The counter is moved first: concurrent adds get disjoint positions (and round-robin slots).
      const counter = await trx
        .updateTable('annotation_queues')
        .set((eb) => ({ item_count: eb('item_count', '+', fresh.length) }))
        .where('id', '=', queue.id)
        .returning('item_count')
        .executeTakeFirstOrThrow();
      const first = Number(counter.item_count) - fresh.length;
      const now = Date.now();
      const rows: AnnotationItemsTable[] = fresh.map((item, index) => ({
        id: newQueueId('ani'),
        queue_id: queue.id,
        position: first + index,
        source_kind: item.sourceKind,
        source_id: item.sourceId,
        input_text: item.inputText,
        output_text: item.outputText,
        created_at: now,
      }));
      const assignments = rows.flatMap((row) =>
        reviewersFor(queue, row.position, input.reviewers).map((reviewer) => ({
          item_id: row.id,
          queue_id: queue.id,
          reviewer,
          status: 'pending',
          position: row.position,
          feedback_id: null,
          assigned_at: now,
          completed_at: null,
        })),
      );
      for (let start = 0; start < rows.length; start += 200) {
        await trx
          .insertInto('annotation_items')
          .values(rows.slice(start, start + 200))
          .execute();
      }
      for (let start = 0; start < assignments.length; start += 200) {
        await trx
          .insertInto('annotation_assignments')
          .values(assignments.slice(start, start + 200))
          .execute();
      }
      const after = { added: rows.length, positions: [first, first + rows.length - 1], reviewers: input.reviewers ?? null };
      const audit = {
        actor: input.actor,
        action: 'queue.items_add',
        objectType: 'annotation_queue',
        objectId: queue.name,
        before: null,
        after,
      };
      return { result: { added: rows.map(toItem), skipped: input.items.length - rows.length }, audit: [audit] };
    });
  }

  async getItem(queueId: string, itemId: string): Promise<AnnotationItem | undefined> {
    const row = await this.db
      .selectFrom('annotation_items')
      .selectAll()
      .where('queue_id', '=', queueId)
      .where('id', '=', itemId)
      .executeTakeFirst();
    return row && toItem(row);
  }

  /** The reviewer's first pending item, in queue order; undefined when they have nothing left. */
  async next(queueId: string, reviewer: string): Promise<AnnotationItem | undefined> {
    const row = await this.db
      .selectFrom('annotation_assignments as a')
      .innerJoin('annotation_items as i', 'i.id', 'a.item_id')
      .selectAll('i')
      .where('a.queue_id', '=', queueId)
      .where('a.reviewer', '=', reviewer)
      .where('a.status', '=', 'pending')
      .orderBy('a.position')
      .limit(1)
      .executeTakeFirst();
    return row && toItem(row);
  }

  /** Closes the reviewer's pending assignment and stores the answer, together. */
  async submit(input: { item: AnnotationItem; reviewer: string; feedback: FeedbackInput }): Promise<Feedback> {
    return this.db.transaction().execute(async (trx) => {
      const feedback = await this.feedback.insert(input.feedback, trx);
      const closed = await trx
        .updateTable('annotation_assignments')
        .set({ status: 'done', feedback_id: feedback.id, completed_at: feedback.created_at })
        .where('item_id', '=', input.item.id)
        .where('reviewer', '=', input.reviewer)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(closed.numUpdatedRows) !== 1) throw notPending(input.item.id, input.reviewer);
      return feedback;
    });
  }

  /**
   * Marks the reviewer's assignment skipped and, in a round-robin queue, hands the item to the
   * reviewer not yet on it with the fewest pending items, so it can still reach its reviews.
   */
  async skip(input: { queue: AnnotationQueue; item: AnnotationItem; reviewer: string }): Promise<{ reassigned_to: string | null }> {
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const skipped = await trx
        .updateTable('annotation_assignments')
        .set({ status: 'skipped', completed_at: now })
        .where('item_id', '=', input.item.id)
        .where('reviewer', '=', input.reviewer)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(skipped.numUpdatedRows) !== 1) throw notPending(input.item.id, input.reviewer);
      if (input.queue.assignment !== 'round_robin') return { reassigned_to: null };
      const onItem = await trx.selectFrom('annotation_assignments').select('reviewer').where('item_id', '=', input.item.id).execute();
      const taken = new Set(onItem.map((row) => row.reviewer));
      const candidates = input.queue.reviewers.filter((reviewer) => !taken.has(reviewer));
      if (candidates.length === 0) return { reassigned_to: null };
      const loads = await trx
        .selectFrom('annotation_assignments')
        .select('reviewer')
        .select((select) => select.fn.countAll<number | string>().as('pending'))
        .where('queue_id', '=', input.queue.id)
        .where('status', '=', 'pending')
        .where('reviewer', 'in', candidates)
        .groupBy('reviewer')
        .execute();
      const load = new Map(loads.map((row) => [row.reviewer, Number(row.pending)]));
      const chosen = candidates.reduce((best, reviewer) => ((load.get(reviewer) ?? 0) < (load.get(best) ?? 0) ? reviewer : best));
      await trx
        .insertInto('annotation_assignments')
        .values({
          item_id: input.item.id,
          queue_id: input.queue.id,
          reviewer: chosen,
          status: 'pending',
          position: input.item.position,
          feedback_id: null,
          assigned_at: now,
          completed_at: null,
        })
        .execute();
      return { reassigned_to: chosen };
    });
  }

  async progress(queue: AnnotationQueue): Promise<QueueProgress> {
    const rows = await this.db
      .selectFrom('annotation_assignments')
      .select(['reviewer', 'status'])
      .select((select) => select.fn.countAll<number | string>().as('count'))
      .where('queue_id', '=', queue.id)
      .groupBy(['reviewer', 'status'])
      .execute();
    const completed = await this.db
      .selectFrom((from) =>
        from
          .selectFrom('annotation_assignments')
          .select('item_id')
          .where('queue_id', '=', queue.id)
          .where('status', '=', 'done')
          .groupBy('item_id')
          .having((having) => having.fn.countAll(), '>=', queue.required_reviews)
          .as('complete'),
      )
      .select((select) => select.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    const reviewers = new Map<string, QueueProgress['reviewers'][number]>();
    for (const row of rows) {
      let entry = reviewers.get(row.reviewer);
      if (!entry) reviewers.set(row.reviewer, (entry = { reviewer: row.reviewer, assigned: 0, done: 0, skipped: 0, pending: 0 }));
      const count = Number(row.count);
      entry.assigned += count;
      if (row.status === 'done' || row.status === 'skipped' || row.status === 'pending') entry[row.status] += count;
    }
    return {
      total_items: queue.item_count,
      completed_items: Number(completed.count),
      reviewers: [...reviewers.values()].sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1)),
    };
  }

  /** Every answer given in the queue, for agreement between reviewers. */
  async ratings(queueId: string): Promise<QueueRating[]> {
    const rows = await this.db
      .selectFrom('annotation_assignments as a')
      .innerJoin('feedback as f', 'f.id', 'a.feedback_id')
      .select(['a.item_id', 'a.reviewer', 'f.kind', 'f.name', 'f.value_number', 'f.value_text'])
      .where('a.queue_id', '=', queueId)
      .where('a.status', '=', 'done')
      .orderBy('a.position')
      .execute();
    return rows.map((row) => ({
      item_id: row.item_id,
      reviewer: row.reviewer,
      kind: row.kind,
      name: row.name,
      value: row.value_number === null ? null : Number(row.value_number),
      label: row.kind === 'correction' ? null : row.value_text,
    }));
  }
}

function reviewersFor(queue: AnnotationQueue, position: number, explicit: string[] | undefined): string[] {
  if (explicit !== undefined && explicit.length > 0) return [...new Set(explicit)];
  const count = queue.reviewers.length;
  const wanted = Math.min(queue.required_reviews, count);
  return Array.from({ length: wanted }, (_, offset) => queue.reviewers[(position * wanted + offset) % count]!);
}

function dedupe(items: QueueItemInput[]): QueueItemInput[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.sourceKind}:${item.sourceId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function notPending(itemId: string, reviewer: string): FenerError {
  return new FenerError('conflict', `item ${itemId} is not waiting for a review by "${reviewer}"`, { param: 'reviewer' });
}

function toQueue(row: AnnotationQueuesTable): AnnotationQueue {
  return {
    ...row,
    reviewers: JSON.parse(row.reviewers) as string[],
    assignment: row.assignment as QueueAssignment,
    required_reviews: Number(row.required_reviews),
    item_count: Number(row.item_count),
    created_at: Number(row.created_at),
  };
}

function toItem(row: AnnotationItemsTable): AnnotationItem {
  return { ...row, source_kind: row.source_kind as QueueSourceKind, position: Number(row.position), created_at: Number(row.created_at) };
}
