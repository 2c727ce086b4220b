import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { traceRow } from '../../test/support/trace-rows.js';
import { openSqlite } from './dialects.js';
import { openStore, type Store } from './index.js';
import { TraceRepository } from './traces.js';
import { TraceWriteThread } from './trace-writer.js';

describe('trace batches written by a worker thread (SQLite)', () => {
  let dir: string;
  let store: Store;
  const now = Date.now();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fener-trace-thread-'));
    store = await openStore({ dataDir: dir, traceWriteThread: true });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes traces and their rollups through the thread, visible to the main connection when the promise settles', async () => {
    const rows = Array.from({ length: 250 }, (_, index) =>
      traceRow({ id: `trc_thread_${index}`, created_at: now - index * 1_000, status: index % 10 === 0 ? 'error' : 'ok' }),
    );
    await store.traces.insertMany(rows);
    const page = await store.traces.list({ limit: 500 });
    assert.equal(page.data.length, 250);
    const summary = await store.traceStats.summary({ from: now - 3_600_000, to: now + 60_000 });
    assert.equal(summary.requests, 250);
    assert.equal(summary.errors, 25);
  });

  it('answers a refused batch with the database error and writes nothing of it', async () => {
    const duplicate = [traceRow({ id: 'trc_dup_new', created_at: now }), traceRow({ id: 'trc_thread_0', created_at: now })];
    await assert.rejects(store.traces.insertMany(duplicate), /UNIQUE|constraint/i);
    assert.equal(await store.traces.get('trc_dup_new'), undefined, 'the transaction rolled back');
    await store.traces.insertMany([traceRow({ id: 'trc_after_refusal', created_at: now })]);
    assert.ok(await store.traces.get('trc_after_refusal'), 'the thread goes on after a refused batch');
  });

  it('falls back to the caller’s connection once the thread is gone, writing only rows not stored yet', async () => {
    const thread = new TraceWriteThread(dir);
    await thread.close();
    assert.equal(thread.healthy, false);
    const db = openSqlite(dir);
    try {
      const before = await store.traceStats.summary({ from: now - 3_600_000, to: now + 60_000 });
      // The retry of a batch the dead thread had already committed, plus one new row.
      const retried = [traceRow({ id: 'trc_thread_1', created_at: now - 1_000 }), traceRow({ id: 'trc_fallback', created_at: now })];
      await new TraceRepository(db, thread).insertMany(retried);
      assert.ok(await store.traces.get('trc_fallback'));
      const afterwards = await store.traceStats.summary({ from: now - 3_600_000, to: now + 60_000 });
      assert.equal(afterwards.requests, before.requests + 1, 'the row stored before is neither written nor counted again');
    } finally {
      await db.destroy();
    }
  });
});
