/**
 * The two databases a store conformance suite runs on: SQLite in a fresh directory, and a fresh
 * database on the real Postgres server (see postgres.ts: when the server is down the suite fails,
 * it never skips). One suite, both dialects:
 *
 *   for (const backend of storeBackends('canaries')) {
 *     describe(`canary store conformance: ${backend.name}`, () => {
 *       let store: Store;
 *       before(async () => (store = await backend.open()));
 *       after(async () => { await store.close(); await backend.cleanup(); });
 *       …
 *     });
 *   }
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { FenerError } from '../../src/core/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** Opens (and migrates) a store on this backend's database; may be called again after a close. */
  open(): Promise<Store>;
  /** Runs SQL behind the store's back, as someone tampering with the database would. */
  raw(statement: string): Promise<void>;
  /** Removes the database (call after closing the stores opened on it). */
  cleanup(): Promise<void>;
}

/** SQLite in a new temporary directory named after `label`. */
export function sqliteBackend(label = 'store'): StoreBackend {
  const dir = mkdtempSync(join(tmpdir(), `fener-${label}-`));
  return {
    name: 'sqlite',
    open: () => openStore({ dataDir: dir }),
    raw: async (statement) => {
      const database = new SqliteDatabase(join(dir, 'fener.db'));
      try {
        database.exec(statement);
      } finally {
        database.close();
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A database of its own on the test Postgres server, created at the first `open`. */
export function postgresBackend(): StoreBackend {
  let database: TestDatabase | undefined;
  return {
    name: 'postgres',
    open: async () => {
      database ??= await createTestDatabase();
      return openStore({ databaseUrl: database.url });
    },
    raw: async (statement) => {
      if (!database) throw new Error('raw SQL before the Postgres test database was opened');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
    cleanup: async () => database?.drop(),
  };
}

/** SQLite, then Postgres: one conformance suite is declared once for each. */
export function storeBackends(label: string): StoreBackend[] {
  return [sqliteBackend(label), postgresBackend()];
}

/** For `assert.rejects`: the error is a FenerError with this code. */
export function isFenerCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof FenerError && error.code === code;
}
