import type { Kysely } from 'kysely';

/** Migration `0010_canary`: canaries, their counters and their decisions. */
export async function createCanaryTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deployment_canaries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('deployment_id', 'text', (column) => column.notNull().references('deployments.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('baseline', 'text', (column) => column.notNull())
    .addColumn('variants', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('latency_threshold_ms', 'double precision')
    .addColumn('latency_snapshot', 'text')
    .addColumn('promotion_request', 'text')
    .addColumn('last_evaluation', 'text')
    .addColumn('evaluated_at', 'bigint')
    .execute();
  await db.schema.createIndex('deployment_canaries_deployment').on('deployment_canaries').columns(['deployment_id', 'status']).execute();
  await db.schema
    .createTable('canary_counts')
    .addColumn('canary_id', 'text', (column) => column.notNull().references('deployment_canaries.id'))
    .addColumn('variant', 'text', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('canary_counts_pk', ['canary_id', 'variant', 'metric'])
    .execute();
  await db.schema
    .createTable('canary_decisions')
    .addColumn('canary_id', 'text', (column) => column.notNull().references('deployment_canaries.id'))
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('evidence', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('canary_decisions_pk', ['canary_id', 'seq'])
    .execute();
}
