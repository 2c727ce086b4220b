/**
 * Human feedback: per-project score definitions (audited) and feedback rows on traces. The store
 * keeps rows whole and answers filters, pages and summaries; the feedback module above decides
 * what a valid value is (checked against the score definition) and who may send it.
 */
import { type Kysely, type SelectQueryBuilder } from 'kysely';
import {
  FenerError,
  newId,
  type Feedback,
  type FeedbackKind,
  type FeedbackSummary,
  type PreferenceSide,
  type ScoreDefinition,
  type ScoreKind,
} from '../core/index.js';
import type { AuditRepository, Executor } from './audit.js';
import type { Database } from './schema.js';
import type { FeedbackTable, ScoreDefinitionsTable } from './feedback-tables.js';

export type { Feedback, FeedbackKind, FeedbackSummary, PreferenceSide, ScoreDefinition, ScoreKind };

export interface ScoreDefinitionInput {
  projectId: string;
  name: string;
  kind: ScoreKind;
  min?: number;
  max?: number;
  categories?: string[];
  description?: string;
  actor: string;
}

export type FeedbackInput = Omit<Feedback, 'id' | 'created_at'> & { created_at?: number };

export interface FeedbackFilter {
  projectId?: string;
  traceId?: string;
  queueItemId?: string;
  name?: string;
  kind?: FeedbackKind;
  author?: string;
  principal?: string;
  from?: number;
  to?: number;
  cursor?: string;
  limit?: number;
}

export interface FeedbackPage {
  data: Feedback[];
  next_cursor: string | null;
}

export class FeedbackRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
  ) {}

  /** Creates or replaces a score definition; the change and its audit entry are written together. */
  defineScore(input: ScoreDefinitionInput): Promise<{ definition: ScoreDefinition; created: boolean }> {
    return this.audit.change(async (trx) => {
      const before = await trx
        .selectFrom('score_definitions')
        .selectAll()
        .where('project_id', '=', input.projectId)
        .where('name', '=', input.name)
        .executeTakeFirst();
      const now = Date.now();
      const row: ScoreDefinitionsTable = {
        id: before?.id ?? `scd_${newId('mdl').slice(4)}`,
        project_id: input.projectId,
        name: input.name,
        kind: input.kind,
        min_value: input.kind === 'numeric' ? (input.min ?? null) : null,
        max_value: input.kind === 'numeric' ? (input.max ?? null) : null,
        categories: input.kind === 'categorical' ? JSON.stringify(input.categories ?? []) : null,
        description: input.description ?? null,
        created_at: before ? Number(before.created_at) : now,
        updated_at: now,
        updated_by: input.actor,
      };
      if (before) await trx.updateTable('score_definitions').set(row).where('id', '=', before.id).execute();
      else await trx.insertInto('score_definitions').values(row).execute();
      const definition = toDefinition(row);
      return {
        result: { definition, created: !before },
        audit: [
          {
            actor: input.actor,
            action: before ? 'score_definition.update' : 'score_definition.create',
            objectType: 'score_definition',
            objectId: `${input.projectId}/${input.name}`,
            before: before ? auditView(toDefinition(before)) : null,
            after: auditView(definition),
          },
        ],
      };
    });
  }

  async deleteScore(input: { projectId: string; name: string; actor: string }): Promise<boolean> {
    return this.audit.change(async (trx: Executor) => {
      const before = await trx
        .selectFrom('score_definitions')
        .selectAll()
        .where('project_id', '=', input.projectId)
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (!before) return { result: false, audit: [] };
      await trx.deleteFrom('score_definitions').where('id', '=', before.id).execute();
      const audit = {
        actor: input.actor,
        action: 'score_definition.delete',
        objectType: 'score_definition',
        objectId: `${input.projectId}/${input.name}`,
        before: auditView(toDefinition(before)),
        after: null,
      };
      return { result: true, audit: [audit] };
    });
  }

  async getScore(projectId: string, name: string): Promise<ScoreDefinition | undefined> {
    const row = await this.db
      .selectFrom('score_definitions')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toDefinition(row);
  }

  async listScores(projectId?: string): Promise<ScoreDefinition[]> {
    let query = this.db.selectFrom('score_definitions').selectAll();
    if (projectId !== undefined) query = query.where('project_id', '=', projectId);
    const rows = await query.orderBy('project_id').orderBy('name').execute();
    return rows.map(toDefinition);
  }

  async insert(input: FeedbackInput, executor: Executor = this.db): Promise<Feedback> {
    const row = toRow(input);
    await executor.insertInto('feedback').values(row).execute();
    return toFeedback(row);
  }

  async get(id: string): Promise<Feedback | undefined> {
    const row = await this.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toFeedback(row);
  }

  /** Newest first, with an opaque cursor over (created_at, id). */
  async list(filter: FeedbackFilter = {}): Promise<FeedbackPage> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1000);
    let query = applyFilter(this.db.selectFrom('feedback').selectAll(), filter);
    if (filter.cursor !== undefined) {
      const { createdAt, id } = decodeCursor(filter.cursor);
      query = query.where((where) =>
        where.or([where('created_at', '<', createdAt), where.and([where('created_at', '=', createdAt), where('id', '<', id)])]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toFeedback);
    const last = page.at(-1);
    return { data: page, next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  /** Count, mean and distribution per feedback name, computed by the database as grouped counts. */
  async summary(filter: Omit<FeedbackFilter, 'cursor' | 'limit'> = {}): Promise<FeedbackSummary[]> {
    const rows = await applyFilter(this.db.selectFrom('feedback'), filter)
      .select(['name', 'kind', 'value_number', 'value_text'])
      .select((select) => select.fn.countAll<number | string>().as('count'))
      .where('kind', 'in', ['thumbs', 'score', 'label'])
      .groupBy(['name', 'kind', 'value_number', 'value_text'])
      .execute();
    const other = await applyFilter(this.db.selectFrom('feedback'), filter)
      .select(['name', 'kind'])
      .select((select) => select.fn.countAll<number | string>().as('count'))
      .where('kind', 'in', ['correction', 'preference'])
      .groupBy(['name', 'kind'])
      .execute();
    const summaries = new Map<string, FeedbackSummary & { sum: number }>();
    const entry = (name: string, kind: string): FeedbackSummary & { sum: number } => {
      const key = `${kind}\u0000${name}`;
      let found = summaries.get(key);
      if (!found) summaries.set(key, (found = { name, kind: kind as FeedbackKind, count: 0, mean: null, distribution: {}, sum: 0 }));
      return found;
    };
    for (const row of rows) {
      const summary = entry(row.name, row.kind);
      const count = Number(row.count);
      const number = row.value_number === null ? null : Number(row.value_number);
      const value = row.kind === 'score' ? String(number) : (row.value_text ?? '');
      summary.count += count;
      summary.distribution[value] = (summary.distribution[value] ?? 0) + count;
      if (number !== null && row.kind !== 'label') summary.sum += number * count;
    }
    for (const row of other) entry(row.name, row.kind).count += Number(row.count);
    return [...summaries.values()]
      .map(({ sum, ...summary }) => ({
        ...summary,
        mean: summary.kind === 'score' || summary.kind === 'thumbs' ? sum / summary.count : null,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : 1));
  }
}

function applyFilter<O>(
  query: SelectQueryBuilder<Database, 'feedback', O>,
  filter: Omit<FeedbackFilter, 'cursor' | 'limit'>,
): SelectQueryBuilder<Database, 'feedback', O> {
  let out = query;
  if (filter.projectId !== undefined) out = out.where('project_id', '=', filter.projectId);
  if (filter.traceId !== undefined) out = out.where('trace_id', '=', filter.traceId);
  if (filter.queueItemId !== undefined) out = out.where('queue_item_id', '=', filter.queueItemId);
  if (filter.name !== undefined) out = out.where('name', '=', filter.name);
  if (filter.kind !== undefined) out = out.where('kind', '=', filter.kind);
  if (filter.author !== undefined) out = out.where('author', '=', filter.author);
  if (filter.principal !== undefined) out = out.where('principal', '=', filter.principal);
  if (filter.from !== undefined) out = out.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) out = out.where('created_at', '<', filter.to);
  return out;
}

function auditView(definition: ScoreDefinition): Record<string, unknown> {
  const { kind, min, max, categories, description } = definition;
  return { kind, min, max, categories, description };
}

function toDefinition(row: ScoreDefinitionsTable): ScoreDefinition {
  return {
    name: row.name,
    project_id: row.project_id,
    kind: row.kind as ScoreKind,
    min: row.min_value === null ? null : Number(row.min_value),
    max: row.max_value === null ? null : Number(row.max_value),
    categories: row.categories === null ? null : (JSON.parse(row.categories) as string[]),
    description: row.description,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    updated_by: row.updated_by,
  };
}

function toRow(input: FeedbackInput): FeedbackTable {
  const createdAt = input.created_at ?? Date.now();
  const valueText = input.kind === 'correction' ? input.correction : input.label;
  return {
    id: `fbk_${newId('mdl', createdAt).slice(4)}`,
    project_id: input.project_id,
    trace_id: input.trace_id,
    dataset_item_id: input.dataset_item_id,
    queue_item_id: input.queue_item_id,
    kind: input.kind,
    name: input.name,
    value_number: input.value,
    value_text: valueText,
    preference: input.preference === null ? null : JSON.stringify(input.preference),
    comment: input.comment,
    author: input.author,
    principal: input.principal,
    created_at: createdAt,
  };
}

function toFeedback(row: FeedbackTable): Feedback {
  const kind = row.kind as FeedbackKind;
  return {
    id: row.id,
    project_id: row.project_id,
    trace_id: row.trace_id,
    dataset_item_id: row.dataset_item_id,
    queue_item_id: row.queue_item_id,
    kind,
    name: row.name,
    value: row.value_number === null ? null : Number(row.value_number),
    label: kind === 'correction' ? null : row.value_text,
    correction: kind === 'correction' ? row.value_text : null,
    preference: row.preference === null ? null : (JSON.parse(row.preference) as Feedback['preference']),
    comment: row.comment,
    author: row.author,
    principal: row.principal,
    created_at: Number(row.created_at),
  };
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new FenerError('invalid_request', 'cursor is not one this server issued', { param: 'cursor' });
}
