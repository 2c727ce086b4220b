/**
 * Migration 0012 on a database that holds traces from before it: they are folded into the new
 * rollups (deployments read from their metadata by 0011), rollup tables left by the former 0011
 * are dropped, and every view then equals the brute force over the same traces — on SQLite and on
 * the real Postgres.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Kysely, Migrator, sql } from 'kysely';
import { createTestDatabase } from '../../test/support/postgres.js';
import {
  assertMatches,
  assertTopErrors,
  bruteForce,
  bruteForceErrors,
  makeTraces,
  span,
  start,
} from '../../test/support/trace-stats-fixtures.js';
import { openPostgres, openSqlite } from './dialects.js';
import { openStore, type Store } from './index.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';

const rows = makeTraces(1_200, 19, 'm');

/** Brings a fresh database to 0010, writes traces as the recorder did then, and leaves a stale 0011-era rollup table. */
async function databaseBefore0011(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'fener_migrations',
    migrationLockTableName: 'fener_migrations_lock',
  });
  const { error } = await migrator.migrateTo('0010_canary');
  if (error) throw error;
  for (let index = 0; index < rows.length; index += 200) {
    const batch = rows.slice(index, index + 200).map(({ deployment, ...row }) => ({
      ...row,
      metadata: deployment ? JSON.stringify({ fener: { deployment: { name: deployment, version: 1 } } }) : row.metadata,
    }));
    await db.insertInto('traces').values(batch).execute();
  }
  await sql`create table trace_rollup_hour (bucket bigint, requests bigint, latency_hist text)`.execute(db);
  await sql`insert into trace_rollup_hour values (${start}, 999999, '{"1":999999}')`.execute(db);
}

async function checkFolded(store: Store): Promise<void> {
  for (const [bucket, groupBy] of [
    ['hour', 'deployment'],
    ['hour', 'model'],
    ['day', undefined],
    ['minute', 'key'],
  ] as const) {
    const query = { from: start, to: start + span, bucket, ...(groupBy ? { groupBy } : {}) };
    assertMatches(await store.traceStats.timeseries(query), bruteForce(rows, query), `after 0012: ${bucket} ${groupBy}`);
  }
  const window = { from: start + 1_234, to: start + span };
  assertTopErrors(await store.traceStats.topErrors({ ...window, limit: 100 }), bruteForceErrors(rows, window), 'after 0012: errors');
  const summary = await store.traceStats.summary({ from: start, to: start + span + 60_000 });
  assert.equal(summary.requests, rows.length);
}

test('0012 folds traces written before it into the new rollups: SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fener-stats-migration-'));
  try {
    const db = openSqlite(dir);
    await databaseBefore0011(db);
    await db.destroy();
    const store = await openStore({ dataDir: dir });
    try {
      await checkFolded(store);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('0012 folds traces written before it into the new rollups: Postgres', async () => {
  const database = await createTestDatabase();
  try {
    const db = openPostgres(database.url);
    await databaseBefore0011(db);
    await db.destroy();
    const store = await openStore({ databaseUrl: database.url });
    try {
      await checkFolded(store);
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
});
