import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { mergeEncoded } from './latency-histogram.js';
import type { Database } from './schema.js';

/** The SQLite file lives at `<dataDir>/fener.db`; `:memory:` is accepted for tests. */
export function openSqlite(dataDir: string): Kysely<Database> {
  const file = dataDir === ':memory:' ? ':memory:' : join(ensureDir(dataDir), 'fener.db');
  const database = new SqliteDatabase(file);
  // WAL lets readers (the console, other processes) run while the gateway writes traces;
  // NORMAL sync is safe in WAL mode and avoids an fsync per transaction.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  // Checkpoint every ~40 MB of WAL rather than 4 MB: the traces' index pages and rollup rows,
  // rewritten by every batch, are copied back to the database file far fewer times.
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma('foreign_keys = ON');
  // Merges rollup histograms inside upserts; Postgres has the same function in SQL (migration 0012).
  database.function('fener_hist_merge', { deterministic: true }, (a: unknown, b: unknown) =>
    mergeEncoded(typeof a === 'string' ? a : null, typeof b === 'string' ? b : null),
  );
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

const int8Oid = 20;

export function openPostgres(connectionString: string): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Epoch milliseconds are stored as bigint; they fit a JS number exactly until year 287,396.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === int8Oid ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that the server drops (a restart, a failover, an administrator) is an
  // 'error' on the pool; without a listener Node would end the whole process. The pool discards
  // that client and the next query opens a new one; queries in flight get their own errors.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
