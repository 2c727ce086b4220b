/**
 * Migration 0011_trace_stats: the `deployment` column of traces (filled from the metadata of
 * traces written before it) and the indexes the trace list and top errors read through.
 * Migration 0012_trace_stats_rollup_v2: the rollup tables (cross-project rows, compact
 * histograms, the error rollup), built by folding every stored trace in chunks.
 *
 * 0011 used to create and fill rollup tables of its own (JSON histograms, no cross-project rows);
 * 0012 drops them. A database migrated before 0012 existed had them filled; one migrated now gets
 * 0011 without them — both end at 0012 with the same rollups, folded from the same traces (the
 * source of truth: nothing deletes traces while keeping their rollups).
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { addToRollups, createRollupTables } from './trace-rollups.js';
import type { Database } from './schema.js';

/** Each ends in `id` so that a page sorted by (created_at, id) is read from the index in order. */
const listIndexes = [
  ['traces_model_time_id', ['model', 'created_at', 'id']],
  ['traces_key_time_id', ['key_id', 'created_at', 'id']],
  ['traces_status_time', ['status', 'created_at', 'id']],
  ['traces_project_status_time', ['project_id', 'status', 'created_at', 'id']],
  ['traces_project_model_time', ['project_id', 'model', 'created_at', 'id']],
  ['traces_deployment_time', ['deployment', 'created_at', 'id']],
] as const;

export async function createTraceStatsTables(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('traces').addColumn('deployment', 'text').execute();
  // Superseded by the same columns followed by id.
  await db.schema.dropIndex('traces_model_time').execute();
  await db.schema.dropIndex('traces_key_time').execute();
  for (const [name, columns] of listIndexes) {
    await db.schema
      .createIndex(name)
      .on('traces')
      .columns([...columns])
      .execute();
  }
  await backfillDeployments(db as unknown as Kysely<Database>);
}

export async function createTraceStatsRollupV2(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trace_rollup_minute').ifExists().execute();
  await db.schema.dropTable('trace_rollup_hour').ifExists().execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`drop function if exists fener_hist_add(text, text)`.execute(db);
  await createRollupTables(db);
  await foldStoredTraces(db as unknown as Kysely<Database>);
}

const chunk = 5_000;

async function backfillDeployments(db: Kysely<Database>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('traces').select(['id', 'metadata']).where('id', '>', after).orderBy('id').limit(chunk).execute();
    if (rows.length === 0) return;
    const byDeployment = new Map<string, string[]>();
    for (const row of rows) {
      const deployment = deploymentOfMetadataText(row.metadata);
      if (deployment !== null) byDeployment.set(deployment, [...(byDeployment.get(deployment) ?? []), row.id]);
    }
    for (const [deployment, ids] of byDeployment) {
      await db.updateTable('traces').set({ deployment }).where('id', 'in', ids).execute();
    }
    after = rows.at(-1)?.id ?? after;
  }
}

async function foldStoredTraces(db: Kysely<Database>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('traces')
      .select([
        'id',
        'created_at',
        'project_id',
        'model',
        'key_id',
        'deployment',
        'status',
        'error_code',
        'error_message',
        'latency_ms',
        'ttft_ms',
        'input_tokens',
        'output_tokens',
        'cost_usd',
      ])
      .where('id', '>', after)
      .orderBy('id')
      .limit(chunk)
      .execute();
    if (rows.length === 0) return;
    await addToRollups(
      db,
      rows.map((row) => ({ ...row, created_at: Number(row.created_at) })),
    );
    after = rows.at(-1)?.id ?? after;
  }
}

/** The deployment name the gateway puts under `fener.deployment.name` in a trace's metadata. */
export function deploymentOf(metadata: Record<string, unknown> | null | undefined): string | null {
  const fener = metadata?.fener;
  if (typeof fener !== 'object' || fener === null) return null;
  const deployment = (fener as Record<string, unknown>).deployment;
  if (typeof deployment !== 'object' || deployment === null) return null;
  const name = (deployment as Record<string, unknown>).name;
  return typeof name === 'string' ? name : null;
}

function deploymentOfMetadataText(text: string | null): string | null {
  if (text === null || !text.includes('"deployment"')) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? deploymentOf(parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
