/**
 * Versioned migrations, applied in name order at start and by `fener migrate`. A migration is
 * never edited once released: add a new one. Column types are chosen to mean the same thing on
 * SQLite and Postgres (`bigint` for epoch ms, `double precision` for money and timings).
 */
import type { Kysely, Migration } from 'kysely';
import { createEvalTables } from './evals-tables.js';
import { createDatasetTables } from './dataset-tables.js';
import { createFeedbackTables } from './feedback-tables.js';
import { createCanaryTables } from './canary-tables.js';
import { createPromptTables } from './prompts.js';
import { createTraceStatsRollupV2, createTraceStatsTables } from './trace-stats-migration.js';

async function initial(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.references('projects.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('key_hint', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_project').on('api_keys').columns(['project_id', 'created_at']).execute();

  await db.schema
    .createTable('models')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('upstream_model', 'text', (column) => column.notNull())
    .addColumn('input_per_mtok', 'double precision', (column) => column.notNull())
    .addColumn('output_per_mtok', 'double precision', (column) => column.notNull())
    .addColumn('cached_input_per_mtok', 'double precision')
    .addColumn('context_window', 'integer')
    .addColumn('max_output_tokens', 'integer')
    .addColumn('licence', 'text')
    .addColumn('tasks', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('revisions')
    .addColumn('topic', 'text', (column) => column.primaryKey())
    .addColumn('version', 'bigint', (column) => column.notNull())
    .execute();
}

async function traces(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('traces')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('trace_id', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text', (column) => column.notNull())
    .addColumn('project_id', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('endpoint', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('provider', 'text')
    .addColumn('upstream_model', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('http_status', 'integer', (column) => column.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('end_user', 'text')
    .addColumn('session_id', 'text')
    .addColumn('metadata', 'text')
    .addColumn('request_body', 'text')
    .addColumn('response_body', 'text')
    .addColumn('stream', 'integer', (column) => column.notNull())
    .addColumn('latency_ms', 'double precision', (column) => column.notNull())
    .addColumn('ttft_ms', 'double precision')
    .addColumn('input_tokens', 'integer', (column) => column.notNull())
    .addColumn('output_tokens', 'integer', (column) => column.notNull())
    .addColumn('cached_input_tokens', 'integer', (column) => column.notNull())
    .addColumn('tokens_estimated', 'integer', (column) => column.notNull())
    .addColumn('cost_usd', 'double precision', (column) => column.notNull())
    .execute();
  // The trace list is read newest first, by project and by the usual filters.
  for (const [name, columns] of [
    ['traces_project_time', ['project_id', 'created_at', 'id']],
    ['traces_time', ['created_at', 'id']],
    ['traces_model_time', ['model', 'created_at']],
    ['traces_key_time', ['key_id', 'created_at']],
    ['traces_user_time', ['end_user', 'created_at']],
    ['traces_trace', ['trace_id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('traces')
      .columns([...columns])
      .execute();
  }
}

/** Rate limits and budgets of keys and projects; null is "no limit". One column per statement: SQLite adds one at a time. */
async function limits(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_keys', 'projects']) {
    await db.schema.alterTable(table).addColumn('rpm', 'integer').execute();
    await db.schema.alterTable(table).addColumn('tpm', 'integer').execute();
    await db.schema.alterTable(table).addColumn('budget_usd', 'double precision').execute();
    await db.schema.alterTable(table).addColumn('budget_period', 'text').execute();
  }
}

/** Routing and cache facts of a call: how many upstream attempts it took, and cache hits with what they saved. */
async function routingColumns(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('traces')
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('traces').addColumn('cache_hit', 'text').execute();
  await db.schema
    .alterTable('traces')
    .addColumn('cost_saved_usd', 'double precision', (column) => column.notNull().defaultTo(0))
    .execute();
}

/** The model registry, deployments, governance policies and the hash-chained audit log. */
async function registry(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_models')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('registry_versions')
    .addColumn('model_id', 'text', (column) => column.notNull().references('registry_models.id'))
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('upstream_model', 'text', (column) => column.notNull())
    .addColumn('serving_model', 'text', (column) => column.notNull())
    .addColumn('input_per_mtok', 'double precision', (column) => column.notNull())
    .addColumn('output_per_mtok', 'double precision', (column) => column.notNull())
    .addColumn('context_window', 'integer')
    .addColumn('licence', 'text')
    .addColumn('tasks', 'text', (column) => column.notNull())
    .addColumn('fine_tuned_from', 'text')
    .addColumn('dataset_version', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('registry_versions_pk', ['model_id', 'version'])
    .execute();
  await db.schema
    .createTable('registry_evaluations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('model_id', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('value', 'double precision', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addForeignKeyConstraint('registry_evaluations_version', ['model_id', 'version'], 'registry_versions', ['model_id', 'version'])
    .execute();
  await db.schema
    .createIndex('registry_evaluations_version_at')
    .on('registry_evaluations')
    .columns(['model_id', 'version', 'at'])
    .execute();
  await db.schema
    .createTable('registry_aliases')
    .addColumn('model_id', 'text', (column) => column.notNull())
    .addColumn('alias', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('registry_aliases_pk', ['model_id', 'alias'])
    .addForeignKeyConstraint('registry_aliases_version', ['model_id', 'version'], 'registry_versions', ['model_id', 'version'])
    .execute();
  await deploymentTables(db);
  await db.schema
    .createTable('policies')
    .addColumn('project_id', 'text', (column) => column.primaryKey().references('projects.id'))
    .addColumn('document', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (column) => column.primaryKey())
    // Unique: two writers that both read the same head cannot both append after it.
    .addColumn('seq', 'bigint', (column) => column.notNull().unique())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('object_type', 'text', (column) => column.notNull())
    .addColumn('object_id', 'text', (column) => column.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('hash', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('audit_log_object').on('audit_log').columns(['object_type', 'object_id', 'seq']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor', 'seq']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();
}

async function deploymentTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('active_version', 'integer')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('deployment_versions')
    .addColumn('deployment_id', 'text', (column) => column.notNull().references('deployments.id'))
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('prompt_ref', 'text')
    .addColumn('model_ref', 'text', (column) => column.notNull())
    .addColumn('parameters', 'text', (column) => column.notNull())
    .addColumn('fallbacks', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('source_version', 'integer')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('activated_at', 'bigint')
    .addPrimaryKeyConstraint('deployment_versions_pk', ['deployment_id', 'version'])
    .execute();
}

export const migrations: Record<string, Migration> = {
  '0001_initial': { up: initial },
  '0002_traces': { up: traces },
  '0003_limits': { up: limits },
  '0004_trace_routing': { up: routingColumns },
  '0005_prompts': { up: createPromptTables },
  '0006_registry': { up: registry },
  '0007_datasets': { up: createDatasetTables },
  '0008_feedback': { up: createFeedbackTables },
  '0009_evals': { up: createEvalTables },
  '0010_canary': { up: createCanaryTables },
  '0011_trace_stats': { up: createTraceStatsTables },
  '0012_trace_stats_rollup_v2': { up: createTraceStatsRollupV2 },
};
