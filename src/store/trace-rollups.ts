/**
 * Rollups of traces for the dashboard: per-minute and per-hour rows of counts, sums and latency
 * histograms, one per bucket × project × dimension value (all, model, key, deployment), plus rows
 * for every project at once (`project_id` = `allProjects`) for `all` and `model`, so that the
 * admin's busiest views (everything, per model, per minute) read a quarter of the rows and merge
 * none. Keys and deployments have none: a key belongs to one project, a deployment usually does,
 * so such rows would mostly repeat project rows (and cost writes); those views let the database
 * merge the project rows. A batch of traces is folded in memory first, then written by one upsert per table that
 * *adds* to what is there (`requests = requests + excluded.requests`, histograms merged by
 * `fener_hist_merge`), inside the transaction that inserts the traces — so replicas writing at
 * once add up exactly, and a rolled-back batch leaves no rollup behind. Rows are written in one
 * fixed order so that two Postgres writers lock them in the same order and cannot deadlock.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { binOf, encodeHistogram, type Histogram } from './latency-histogram.js';
import { addToErrorRollup, createErrorRollupTable } from './trace-error-rollup.js';
import type { Database, TraceRollupsTable, TracesTable } from './schema.js';

export const minuteMs = 60_000;
export const hourMs = 3_600_000;
/** The `project_id` of rollup rows that count every project. */
export const allProjects = '*';

export type RollupTable = 'trace_rollup_minute' | 'trace_rollup_hour';
export type RollupDimension = TraceRollupsTable['dimension'];

/** What a rollup needs of a trace. */
export type RollupSource = Pick<
  TracesTable,
  | 'created_at'
  | 'project_id'
  | 'model'
  | 'key_id'
  | 'status'
  | 'error_code'
  | 'error_message'
  | 'latency_ms'
  | 'ttft_ms'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost_usd'
> & { deployment?: string | null };

interface Accumulator {
  bucket: number;
  project_id: string;
  dimension: RollupDimension;
  value: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms_sum: number;
  latency: Histogram;
  ttft_count: number;
  ttft: Histogram;
}

/** Folds traces into rollup rows of one granularity, sorted by their primary key. */
export function foldTraces(traces: readonly RollupSource[], bucketMs: number): TraceRollupsTable[] {
  const rows = new Map<string, Accumulator>();
  for (const trace of traces) {
    const bucket = Math.floor(Number(trace.created_at) / bucketMs) * bucketMs;
    const dimensions: [RollupDimension, string, string][] = [
      ['all', trace.project_id, ''],
      ['model', trace.project_id, trace.model],
      ['key', trace.project_id, trace.key_id ?? ''],
      ['deployment', trace.project_id, trace.deployment ?? ''],
      ['all', allProjects, ''],
      ['model', allProjects, trace.model],
    ];
    // The bins once per trace, not once per row it adds to.
    const bins = { latency: binOf(trace.latency_ms), ttft: trace.ttft_ms === null ? -1 : binOf(trace.ttft_ms) };
    for (const [dimension, projectId, value] of dimensions) {
      const id = `${dimension}\u0000${bucket}\u0000${projectId}\u0000${value}`;
      let row = rows.get(id);
      if (row === undefined) {
        row = { bucket, project_id: projectId, dimension, value, ...emptySums() };
        rows.set(id, row);
      }
      add(row, trace, bins);
    }
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => ({
      bucket: row.bucket,
      project_id: row.project_id,
      dimension: row.dimension,
      value: row.value,
      requests: row.requests,
      errors: row.errors,
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      cost_usd: row.cost_usd,
      latency_ms_sum: row.latency_ms_sum,
      latency_hist: encodeHistogram(row.latency),
      ttft_count: row.ttft_count,
      ttft_hist: encodeHistogram(row.ttft),
    }));
}

function emptySums(): Omit<Accumulator, 'bucket' | 'project_id' | 'dimension' | 'value'> {
  return {
    requests: 0,
    errors: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    latency_ms_sum: 0,
    latency: {},
    ttft_count: 0,
    ttft: {},
  };
}

function add(row: Accumulator, trace: RollupSource, bins: { latency: number; ttft: number }): void {
  row.requests += 1;
  if (trace.status === 'error') row.errors += 1;
  row.input_tokens += trace.input_tokens;
  row.output_tokens += trace.output_tokens;
  row.cost_usd += trace.cost_usd;
  row.latency_ms_sum += trace.latency_ms;
  row.latency[bins.latency] = (row.latency[bins.latency] ?? 0) + 1;
  if (bins.ttft >= 0) {
    row.ttft_count += 1;
    row.ttft[bins.ttft] = (row.ttft[bins.ttft] ?? 0) + 1;
  }
}

const additive = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cost_usd', 'latency_ms_sum', 'ttft_count'] as const;
/** 13 columns: 500 rows stay far below either dialect's limit of bound parameters. */
const rowsPerUpsert = 500;

/** Adds a batch of traces to the rollup tables; call it inside the transaction that inserts them. */
export async function addToRollups(db: Kysely<Database>, traces: readonly RollupSource[]): Promise<void> {
  if (traces.length === 0) return;
  await addToErrorRollup(db, traces);
  for (const [table, bucketMs] of [
    ['trace_rollup_minute', minuteMs],
    ['trace_rollup_hour', hourMs],
  ] as const) {
    const rows = foldTraces(traces, bucketMs);
    for (let start = 0; start < rows.length; start += rowsPerUpsert) {
      await upsert(db, table, rows.slice(start, start + rowsPerUpsert));
    }
  }
}

async function upsert(db: Kysely<Database>, table: RollupTable, rows: TraceRollupsTable[]): Promise<void> {
  const sums = Object.fromEntries(additive.map((column) => [column, sql`${sql.ref(`${table}.${column}`)} + excluded.${sql.ref(column)}`]));
  // Both tables have the same columns; the name is only for the types.
  await db
    .insertInto(table as 'trace_rollup_hour')
    .values(rows)
    .onConflict((conflict) =>
      conflict.columns(['dimension', 'bucket', 'project_id', 'value']).doUpdateSet({
        ...sums,
        latency_hist: merged(table, 'latency_hist'),
        ttft_hist: merged(table, 'ttft_hist'),
      }),
    )
    .execute();
}

/** Skips the merge function when the batch adds nothing (most rows have no streamed call). */
function merged(table: RollupTable, column: 'latency_hist' | 'ttft_hist') {
  const stored = sql.ref(`${table}.${column}`);
  const added = sql`excluded.${sql.ref(column)}`;
  return sql<string>`case when ${added} = '' then ${stored} when ${stored} = '' then ${added} else fener_hist_merge(${stored}, ${added}) end`;
}

/** The Postgres side of `fener_hist_merge`: adds the counts of two `bin:count,…` lists. */
const postgresHistogramMerge = sql`
  create or replace function fener_hist_merge(a text, b text) returns text
  language sql immutable parallel safe as $$
    select coalesce(string_agg(bin::text || ':' || total::text, ',' order by bin), '')
    from (
      select split_part(part, ':', 1)::int as bin, sum(split_part(part, ':', 2)::bigint) as total
      from unnest(string_to_array(a, ',') || string_to_array(b, ',')) as part
      group by 1
    ) as merged
  $$`;

/** The rollup tables and the merge function (migration 0012). */
export async function createRollupTables(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await postgresHistogramMerge.execute(db);
  for (const table of ['trace_rollup_minute', 'trace_rollup_hour']) {
    await db.schema
      .createTable(table)
      .addColumn('bucket', 'bigint', (column) => column.notNull())
      .addColumn('project_id', 'text', (column) => column.notNull())
      .addColumn('dimension', 'text', (column) => column.notNull())
      .addColumn('value', 'text', (column) => column.notNull())
      .addColumn('requests', 'bigint', (column) => column.notNull())
      .addColumn('errors', 'bigint', (column) => column.notNull())
      .addColumn('input_tokens', 'bigint', (column) => column.notNull())
      .addColumn('output_tokens', 'bigint', (column) => column.notNull())
      .addColumn('cost_usd', 'double precision', (column) => column.notNull())
      .addColumn('latency_ms_sum', 'double precision', (column) => column.notNull())
      .addColumn('latency_hist', 'text', (column) => column.notNull())
      .addColumn('ttft_count', 'bigint', (column) => column.notNull())
      .addColumn('ttft_hist', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['dimension', 'bucket', 'project_id', 'value'])
      .execute();
    // A project key's dashboard reads one project's rows, an admin's the cross-project ones.
    await db.schema.createIndex(`${table}_project`).on(table).columns(['project_id', 'dimension', 'bucket']).execute();
  }
  await createErrorRollupTable(db);
}
