/**
 * Tables of human feedback (migration 0008_feedback): score definitions, feedback on traces (and
 * on dataset items reviewed in a queue), annotation queues, their items and reviewer assignments.
 * Types and DDL live together here; schema.ts merges the types into `Database`.
 */
import type { Kysely } from 'kysely';

/** What a project's feedback of one name is checked against. */
export interface ScoreDefinitionsTable {
  id: string;
  project_id: string;
  name: string;
  /** `numeric` (a range) or `categorical` (a list of categories). */
  kind: string;
  min_value: number | null;
  max_value: number | null;
  /** JSON array of category names, for `categorical`. */
  categories: string | null;
  description: string | null;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

export interface FeedbackTable {
  id: string;
  project_id: string;
  /** `traces.id` the feedback is about; null for a dataset item reviewed in a queue. */
  trace_id: string | null;
  dataset_item_id: string | null;
  queue_item_id: string | null;
  /** `thumbs`, `score`, `label`, `correction` or `preference`. */
  kind: string;
  name: string;
  /** thumbs: 1 up, 0 down; score: the number. */
  value_number: number | null;
  /** thumbs: `up`/`down`; label: the category; correction: the corrected output. */
  value_text: string | null;
  /** preference: JSON `{chosen: {trace_id, text}, rejected: {trace_id, text}}`. */
  preference: string | null;
  comment: string | null;
  /** A free label for the end user who gave it (or the reviewer in a queue). */
  author: string | null;
  /** The key id that sent it. */
  principal: string;
  created_at: number;
}

export interface AnnotationQueuesTable {
  id: string;
  name: string;
  project_id: string;
  description: string | null;
  /** JSON array of reviewer names, in round-robin order. */
  reviewers: string;
  /** `round_robin` or `explicit`. */
  assignment: string;
  required_reviews: number;
  /** The score definition reviewers answer with; null lets them send any feedback kind. */
  score_name: string | null;
  /** Items added so far: the next item's position, and the round-robin cursor. */
  item_count: number;
  created_at: number;
  created_by: string;
}

export interface AnnotationItemsTable {
  id: string;
  queue_id: string;
  position: number;
  /** `trace` or `dataset_item`: a reference, plus a snapshot of the text reviewers see. */
  source_kind: string;
  source_id: string;
  input_text: string;
  output_text: string | null;
  created_at: number;
}

export interface AnnotationAssignmentsTable {
  item_id: string;
  queue_id: string;
  reviewer: string;
  /** `pending`, `done` or `skipped`. */
  status: string;
  position: number;
  feedback_id: string | null;
  assigned_at: number;
  completed_at: number | null;
}

export interface FeedbackTables {
  score_definitions: ScoreDefinitionsTable;
  feedback: FeedbackTable;
  annotation_queues: AnnotationQueuesTable;
  annotation_items: AnnotationItemsTable;
  annotation_assignments: AnnotationAssignmentsTable;
}

export async function createFeedbackTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('score_definitions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('min_value', 'double precision')
    .addColumn('max_value', 'double precision')
    .addColumn('categories', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .addUniqueConstraint('score_definitions_project_name', ['project_id', 'name'])
    .execute();
  await db.schema
    .createTable('feedback')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull())
    .addColumn('trace_id', 'text')
    .addColumn('dataset_item_id', 'text')
    .addColumn('queue_item_id', 'text')
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('value_number', 'double precision')
    .addColumn('value_text', 'text')
    .addColumn('preference', 'text')
    .addColumn('comment', 'text')
    .addColumn('author', 'text')
    .addColumn('principal', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  for (const [name, columns] of [
    ['feedback_project_time', ['project_id', 'created_at', 'id']],
    ['feedback_trace', ['trace_id']],
    ['feedback_name_time', ['project_id', 'name', 'created_at']],
    ['feedback_queue_item', ['queue_item_id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('feedback')
      .columns([...columns])
      .execute();
  }
  await createQueueTables(db);
}

async function createQueueTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('annotation_queues')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('description', 'text')
    .addColumn('reviewers', 'text', (column) => column.notNull())
    .addColumn('assignment', 'text', (column) => column.notNull())
    .addColumn('required_reviews', 'integer', (column) => column.notNull())
    .addColumn('score_name', 'text')
    .addColumn('item_count', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('annotation_items')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('queue_id', 'text', (column) => column.notNull().references('annotation_queues.id'))
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('source_kind', 'text', (column) => column.notNull())
    .addColumn('source_id', 'text', (column) => column.notNull())
    .addColumn('input_text', 'text', (column) => column.notNull())
    .addColumn('output_text', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    // The same trace or dataset item is queued once per queue.
    .addUniqueConstraint('annotation_items_source', ['queue_id', 'source_kind', 'source_id'])
    .addUniqueConstraint('annotation_items_position', ['queue_id', 'position'])
    .execute();
  await db.schema
    .createTable('annotation_assignments')
    .addColumn('item_id', 'text', (column) => column.notNull().references('annotation_items.id'))
    .addColumn('queue_id', 'text', (column) => column.notNull())
    .addColumn('reviewer', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('feedback_id', 'text')
    .addColumn('assigned_at', 'bigint', (column) => column.notNull())
    .addColumn('completed_at', 'bigint')
    .addPrimaryKeyConstraint('annotation_assignments_pk', ['item_id', 'reviewer'])
    .execute();
  await db.schema
    .createIndex('annotation_assignments_next')
    .on('annotation_assignments')
    .columns(['queue_id', 'reviewer', 'status', 'position'])
    .execute();
}
