/**
 * Top errors without reading traces: failed calls counted per hour × project × (code, message),
 * with the time of the last one, written with the other rollups (same transaction, upserts that
 * add, rows in a fixed order). A window is answered exactly: its whole hours from this table, the
 * partial hours at its edges from the traces themselves (through `traces_status_time` or
 * `traces_project_status_time`), merged in memory.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { TopError } from '../core/index.js';
import type { Database, TraceErrorRollupTable, TracesTable } from './schema.js';

const hourMs = 3_600_000;

/** What the error rollup needs of a trace. */
export type ErrorSource = Pick<TracesTable, 'created_at' | 'project_id' | 'status' | 'error_code' | 'error_message'>;

export type { TopError };

export interface ErrorWindow {
  from: number;
  to: number;
  projectId?: string;
}

/** One row per (code, message); a hash keeps the primary key short whatever the message's length. */
function errorKey(code: string | null, message: string | null): string {
  return createHash('sha1')
    .update(JSON.stringify([code, message]))
    .digest('base64url');
}

export function foldErrors(traces: readonly ErrorSource[]): TraceErrorRollupTable[] {
  const rows = new Map<string, TraceErrorRollupTable>();
  for (const trace of traces) {
    if (trace.status !== 'error') continue;
    const createdAt = Number(trace.created_at);
    const bucket = Math.floor(createdAt / hourMs) * hourMs;
    const key = errorKey(trace.error_code, trace.error_message);
    const id = `${bucket}\u0000${trace.project_id}\u0000${key}`;
    const row = rows.get(id);
    if (row === undefined) {
      rows.set(id, {
        bucket,
        project_id: trace.project_id,
        error_key: key,
        code: trace.error_code,
        message: trace.error_message,
        count: 1,
        last_at: createdAt,
      });
    } else {
      row.count += 1;
      row.last_at = Math.max(row.last_at, createdAt);
    }
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** 7 columns: 1,000 rows stay far below either dialect's limit of bound parameters. */
const rowsPerUpsert = 1_000;

export async function addToErrorRollup(db: Kysely<Database>, traces: readonly ErrorSource[]): Promise<void> {
  const rows = foldErrors(traces);
  for (let start = 0; start < rows.length; start += rowsPerUpsert) {
    await db
      .insertInto('trace_error_hour')
      .values(rows.slice(start, start + rowsPerUpsert))
      .onConflict((conflict) =>
        conflict.columns(['bucket', 'project_id', 'error_key']).doUpdateSet({
          count: sql`trace_error_hour.count + excluded.count`,
          last_at: sql`case when excluded.last_at > trace_error_hour.last_at then excluded.last_at else trace_error_hour.last_at end`,
        }),
      )
      .execute();
  }
}

export async function createErrorRollupTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trace_error_hour')
    .addColumn('bucket', 'bigint', (column) => column.notNull())
    .addColumn('project_id', 'text', (column) => column.notNull())
    .addColumn('error_key', 'text', (column) => column.notNull())
    .addColumn('code', 'text')
    .addColumn('message', 'text')
    .addColumn('count', 'bigint', (column) => column.notNull())
    .addColumn('last_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('trace_error_hour_pk', ['bucket', 'project_id', 'error_key'])
    .execute();
  await db.schema.createIndex('trace_error_hour_project').on('trace_error_hour').columns(['project_id', 'bucket']).execute();
}

interface ErrorCount {
  code: string | null;
  message: string | null;
  count: number | string;
  last_at: number | string;
}

/** The most frequent (code, message) pairs of failed calls in [from, to), exactly. */
export async function readTopErrors(db: Kysely<Database>, window: ErrorWindow, limit: number): Promise<TopError[]> {
  const firstHour = Math.ceil(window.from / hourMs) * hourMs;
  const lastHour = Math.floor(window.to / hourMs) * hourMs;
  const reads =
    firstHour < lastHour
      ? [
          fromRollup(db, { ...window, from: firstHour, to: lastHour }),
          fromTraces(db, { ...window, to: firstHour }),
          fromTraces(db, { ...window, from: lastHour }),
        ]
      : [fromTraces(db, window)];
  const merged = new Map<string, { code: string | null; message: string | null; count: number; last_at: number }>();
  for (const rows of await Promise.all(reads)) {
    for (const row of rows) {
      const id = JSON.stringify([row.code, row.message]);
      const entry = merged.get(id) ?? { code: row.code, message: row.message, count: 0, last_at: -Infinity };
      entry.count += Number(row.count);
      entry.last_at = Math.max(entry.last_at, Number(row.last_at));
      merged.set(id, entry);
    }
  }
  return [...merged.values()]
    .sort((a, b) => b.count - a.count || b.last_at - a.last_at)
    .slice(0, limit)
    .map((entry) => ({ code: entry.code ?? 'unknown', message: entry.message ?? '', count: entry.count, last_at: entry.last_at }));
}

function fromRollup(db: Kysely<Database>, window: ErrorWindow): Promise<ErrorCount[]> {
  let select = db
    .selectFrom('trace_error_hour')
    .select((eb) => [
      'code',
      'message',
      eb.fn.sum<number | string>('count').as('count'),
      eb.fn.max<number | string>('last_at').as('last_at'),
    ])
    .where('bucket', '>=', window.from)
    .where('bucket', '<', window.to);
  if (window.projectId !== undefined) select = select.where('project_id', '=', window.projectId);
  return select.groupBy(['error_key', 'code', 'message']).execute();
}

function fromTraces(db: Kysely<Database>, window: ErrorWindow): Promise<ErrorCount[]> {
  if (window.from >= window.to) return Promise.resolve([]);
  let select = db
    .selectFrom('traces')
    .select((eb) => [
      'error_code as code',
      'error_message as message',
      eb.fn.countAll<number | string>().as('count'),
      eb.fn.max<number | string>('created_at').as('last_at'),
    ])
    .where('status', '=', 'error')
    .where('created_at', '>=', window.from)
    .where('created_at', '<', window.to);
  if (window.projectId !== undefined) select = select.where('project_id', '=', window.projectId);
  return select.groupBy(['error_code', 'error_message']).execute();
}
