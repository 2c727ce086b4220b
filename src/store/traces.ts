import type { Kysely } from 'kysely';
import { FenerError } from '../core/index.js';
import type { Database, TracesTable } from './schema.js';
import { addToRollups } from './trace-rollups.js';

/** One recorded model call, as the API shows it: the row with its JSON columns parsed. */
export interface Trace extends Omit<TracesTable, 'metadata' | 'request_body' | 'response_body' | 'stream' | 'tokens_estimated'> {
  metadata: Record<string, unknown> | null;
  request_body: unknown;
  response_body: unknown;
  stream: boolean;
  tokens_estimated: boolean;
}

/** What the gateway hands over: bodies already serialised, off the hot path. */
export type TraceRow = Omit<TracesTable, 'deployment'> & { deployment?: string | null };

export interface TraceFilter {
  projectId?: string;
  model?: string;
  keyId?: string;
  deployment?: string;
  endUser?: string;
  sessionId?: string;
  traceId?: string;
  status?: 'ok' | 'error';
  from?: number;
  to?: number;
  /** Exact matches on top-level keys of the metadata JSON. */
  metadata?: Record<string, string>;
  cursor?: string;
  limit?: number;
}

export interface TracePage {
  data: Trace[];
  next_cursor: string | null;
}

/** SQLite allows 32,766 bound parameters, Postgres 65,535: 500 rows of 27 columns stay well under. */
const rowsPerInsert = 500;

/** Writes batches elsewhere than on the caller's connection (trace-writer.ts: a worker thread). */
export interface TraceBatchWriter {
  /** False once it cannot write any more: the repository then writes on its own connection. */
  readonly healthy: boolean;
  insertMany(rows: TraceRow[]): Promise<void>;
}

export class TraceRepository {
  /** `thread`: write batches off the event loop (SQLite files; see trace-writer.ts). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly thread?: TraceBatchWriter,
  ) {}

  /** Inserts traces and adds them to the dashboard's rollups, in one transaction. */
  async insertMany(rows: TraceRow[]): Promise<void> {
    if (rows.length === 0) return;
    let pending = rows;
    if (this.thread) {
      if (this.thread.healthy) {
        try {
          return await this.thread.insertMany(rows);
        } catch (error) {
          // A batch the database refused fails here as it would inline; a dead thread falls through.
          if (this.thread.healthy) throw error;
        }
      }
      // The thread is gone, and may have committed this batch (or the one being retried) before it
      // could answer: write only the rows not stored yet, so that none is stored or counted twice.
      pending = await this.notStoredYet(rows);
      if (pending.length === 0) return;
    }
    await this.db.transaction().execute(async (transaction) => {
      for (let start = 0; start < pending.length; start += rowsPerInsert) {
        await transaction
          .insertInto('traces')
          .values(pending.slice(start, start + rowsPerInsert).map((row) => ({ ...row, deployment: row.deployment ?? null })))
          .execute();
      }
      await addToRollups(transaction, pending);
    });
  }

  private async notStoredYet(rows: TraceRow[]): Promise<TraceRow[]> {
    const stored = new Set<string>();
    for (let start = 0; start < rows.length; start += rowsPerInsert) {
      const ids = rows.slice(start, start + rowsPerInsert).map((row) => row.id);
      const found = await this.db.selectFrom('traces').select('id').where('id', 'in', ids).execute();
      for (const row of found) stored.add(row.id);
    }
    return stored.size === 0 ? rows : rows.filter((row) => !stored.has(row.id));
  }

  async get(id: string): Promise<Trace | undefined> {
    const row = await this.db.selectFrom('traces').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTrace(row);
  }

  /** Newest first, with an opaque cursor over (created_at, id) so pages never skip or repeat. */
  async list(filter: TraceFilter = {}): Promise<TracePage> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    let query = this.db.selectFrom('traces').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.model !== undefined) query = query.where('model', '=', filter.model);
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
    if (filter.deployment !== undefined) query = query.where('deployment', '=', filter.deployment);
    if (filter.endUser !== undefined) query = query.where('end_user', '=', filter.endUser);
    if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
    if (filter.traceId !== undefined) query = query.where('trace_id', '=', filter.traceId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    for (const [name, value] of Object.entries(filter.metadata ?? {})) {
      // Matched as a JSON fragment so both dialects can use a plain LIKE; the key is validated by the caller.
      query = query.where('metadata', 'like', `%${JSON.stringify(name)}:${JSON.stringify(value)}%`);
    }
    if (filter.cursor !== undefined) {
      const { createdAt, id } = decodeCursor(filter.cursor);
      // `created_at <= t` first: a plain range both dialects seek the index with, however deep the page.
      query = query
        .where('created_at', '<=', createdAt)
        .where((where) => where.or([where('created_at', '<', createdAt), where('id', '<', id)]));
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toTrace);
    const last = page.at(-1);
    return { data: page, next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  /**
   * What a key or a project has spent since `since` (epoch ms), in USD: the starting point of a
   * budget counter that does not exist yet (a new period, an emptied Redis, a fresh process).
   */
  async spend(filter: { keyId?: string; projectId?: string; since: number }): Promise<number> {
    let query = this.db
      .selectFrom('traces')
      .select((select) => select.fn.sum<number | string | null>('cost_usd').as('spent'))
      .where('created_at', '>=', filter.since);
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.spent ?? 0);
  }

  async count(filter: { projectId?: string } = {}): Promise<number> {
    let query = this.db.selectFrom('traces').select((select) => select.fn.countAll<number>().as('count'));
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.count);
  }
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

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // bodies that were not JSON (an upstream's garbage) are kept as text
  }
}

function toTrace(row: TracesTable): Trace {
  return {
    ...row,
    created_at: Number(row.created_at),
    metadata: parseJson(row.metadata) as Record<string, unknown> | null,
    request_body: parseJson(row.request_body),
    response_body: parseJson(row.response_body),
    stream: row.stream === 1,
    tokens_estimated: row.tokens_estimated === 1,
  };
}
