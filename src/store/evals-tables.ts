/** The tables of evaluation runs, results and online evaluators (migration `0009_evals`), and their DDL. */
import type { Kysely } from 'kysely';

export interface EvalRunsTable {
  id: string;
  experiment: string;
  status: string;
  config: string;
  seed: number;
  total_items: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  created_by: string;
  summary: string | null;
  error: string | null;
}

export interface EvalResultsTable {
  run_id: string;
  variant: string;
  item_id: string;
  item_index: number;
  status: string;
  output: string | null;
  scores: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  trace_id: string | null;
  error: string | null;
  created_at: number;
}

export interface EvalOnlineEvaluatorsTable {
  name: string;
  definition: string;
  sample_rate: number;
  enabled: number;
  cursor_at: number;
  cursor_id: string;
  created_at: number;
  updated_at: number;
}

export interface EvalOnlineScoresTable {
  trace_id: string;
  evaluator: string;
  score: number | null;
  details: string | null;
  created_at: number;
}

// A type alias, not an interface: `withTables` needs an index-compatible record type.
export type EvalTables = {
  eval_runs: EvalRunsTable;
  eval_results: EvalResultsTable;
  eval_online_evaluators: EvalOnlineEvaluatorsTable;
  eval_online_scores: EvalOnlineScoresTable;
};

export async function createEvalTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('eval_runs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('experiment', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('config', 'text', (column) => column.notNull())
    .addColumn('seed', 'bigint', (column) => column.notNull())
    .addColumn('total_items', 'integer')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('summary', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('eval_runs_experiment').on('eval_runs').columns(['experiment', 'created_at']).execute();
  await db.schema
    .createTable('eval_results')
    .addColumn('run_id', 'text', (column) => column.notNull().references('eval_runs.id'))
    .addColumn('variant', 'text', (column) => column.notNull())
    .addColumn('item_id', 'text', (column) => column.notNull())
    .addColumn('item_index', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('output', 'text')
    .addColumn('scores', 'text', (column) => column.notNull())
    .addColumn('latency_ms', 'double precision', (column) => column.notNull())
    .addColumn('input_tokens', 'integer', (column) => column.notNull())
    .addColumn('output_tokens', 'integer', (column) => column.notNull())
    .addColumn('cost_usd', 'double precision')
    .addColumn('trace_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('eval_results_pk', ['run_id', 'variant', 'item_id'])
    .execute();
  await db.schema.createIndex('eval_results_order').on('eval_results').columns(['run_id', 'item_index']).execute();
  await db.schema
    .createTable('eval_online_evaluators')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('definition', 'text', (column) => column.notNull())
    .addColumn('sample_rate', 'double precision', (column) => column.notNull())
    .addColumn('enabled', 'integer', (column) => column.notNull())
    .addColumn('cursor_at', 'bigint', (column) => column.notNull())
    .addColumn('cursor_id', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  // Keyed by the gateway's trace id, like feedback will be, so the two join on `trace_id`.
  await db.schema
    .createTable('eval_online_scores')
    .addColumn('trace_id', 'text', (column) => column.notNull())
    .addColumn('evaluator', 'text', (column) => column.notNull())
    .addColumn('score', 'double precision')
    .addColumn('details', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('eval_online_scores_pk', ['trace_id', 'evaluator'])
    .execute();
  await db.schema.createIndex('eval_online_scores_evaluator').on('eval_online_scores').columns(['evaluator', 'created_at']).execute();
}
