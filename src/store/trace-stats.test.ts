/**
 * The dashboard's rollups against a brute-force computation over the same raw traces, on SQLite
 * and on the real Postgres: counts and sums equal, percentiles within the histogram's stated
 * error, top errors exact; and writers in two stores at once add up exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertClose,
  assertMatches,
  assertTopErrors,
  backends,
  bruteForce,
  bruteForceErrors,
  exactPercentile,
  makeTraces,
  span,
  start,
} from '../../test/support/trace-stats-fixtures.js';
import type { Store, TraceRow } from './index.js';
import { histogramRelativeError } from './latency-histogram.js';

for (const backend of backends()) {
  describe(`trace stats: ${backend.name}`, () => {
    let store: Store;
    let second: Store;
    const rows = makeTraces(2_000, 7, 'a');
    before(async () => {
      store = await backend.open();
      second = await backend.open();
      // Uneven batches whose buckets overlap, so most rollup rows are written more than once.
      for (const [from, to] of [
        [0, 1],
        [1, 700],
        [700, 1_300],
        [1_300, 2_000],
      ] as const) {
        await store.traces.insertMany(rows.slice(from, to));
      }
    });
    after(async () => {
      await store.close();
      await second.close();
      await backend.cleanup();
    });

    for (const bucket of ['minute', 'hour', 'day'] as const) {
      for (const groupBy of [undefined, 'model', 'key', 'deployment', 'project'] as const) {
        test(`timeseries by ${bucket}${groupBy ? ` and ${groupBy}` : ''} equals brute force`, async () => {
          // Minute buckets over a shorter, unaligned window; the others over everything.
          const window =
            bucket === 'minute' ? { from: start + 3_600_000 + 17_123, to: start + 9 * 3_600_000 + 5 } : { from: start, to: start + span };
          const query = { ...window, bucket, ...(groupBy ? { groupBy } : {}) };
          assertMatches(await store.traceStats.timeseries(query), bruteForce(rows, query), `${bucket}/${groupBy ?? 'all'}`);
        });
      }
    }

    test('timeseries of one project sees only that project', async () => {
      const query = { from: start, to: start + span, bucket: 'hour' as const, groupBy: 'model' as const, projectId: 'prj_b' };
      const points = await store.traceStats.timeseries(query);
      assert.ok(points.length > 0);
      assertMatches(points, bruteForce(rows, query), 'prj_b');
      const empty = await store.traceStats.timeseries({ ...query, projectId: 'prj_nobody' });
      assert.deepEqual(empty, []);
    });

    test('summary over an unaligned window equals brute force (hours in the middle, minutes at the edges)', async () => {
      const from = start + 2 * 3_600_000 + 25 * 60_000;
      const to = start + 30 * 3_600_000 + 41 * 60_000 + 500;
      const summary = await store.traceStats.summary({ from, to, projectId: 'prj_a' });
      const inside = rows.filter((row) => row.project_id === 'prj_a' && row.created_at >= from && row.created_at < to + 59_500);
      assert.equal(summary.requests, inside.length);
      assert.equal(summary.errors, inside.filter((row) => row.status === 'error').length);
      assert.equal(
        summary.output_tokens,
        inside.reduce((sum, row) => sum + row.output_tokens, 0),
      );
      assertClose(
        summary.p95_ms,
        exactPercentile(
          inside.map((row) => row.latency_ms),
          0.95,
        ),
        histogramRelativeError + 1e-6,
        'p95',
      );
    });

    test('top errors are exact: whole hours from the rollup, the edges from the traces', async () => {
      const windows = [
        { from: start + 3_600_000, to: start + 40 * 3_600_000 }, // unaligned (start is at :17)
        { from: start + 43 * 60_000, to: start + 4 * 3_600_000 + 43 * 60_000 }, // hour-aligned
        { from: start + 5 * 60_000, to: start + 38 * 60_000 }, // inside one hour: traces only
        { from: start - 3_600_000, to: start + span + 3_600_000, projectId: 'prj_c' },
      ];
      for (const window of windows) {
        const label = `${new Date(window.from).toISOString()} … ${new Date(window.to).toISOString()} ${window.projectId ?? ''}`;
        assertTopErrors(await store.traceStats.topErrors({ ...window, limit: 100 }), bruteForceErrors(rows, window), label);
      }
      const all = await store.traceStats.topErrors({ from: start, to: start + span, limit: 100 });
      assert.ok(all.some((error) => error.code === 'unknown') && all.some((error) => error.message.length > 3_000));
      assert.deepEqual(await store.traceStats.topErrors({ from: start, to: start + span, limit: 2 }), all.slice(0, 2));
    });

    // On SQLite one process holds both stores, and better-sqlite3 waits for a lock synchronously,
    // so there the two take turns; Postgres gets them truly at once (as replicas would).
    test('two stores writing into the same database add up exactly', async () => {
      const extra = makeTraces(1_500, 11, 'b');
      const before = await store.traceStats.summary({ from: start, to: start + span });
      const batches = Array.from({ length: 30 }, (_, index) => extra.slice(index * 50, index * 50 + 50));
      const write = (batch: TraceRow[], index: number) => (index % 2 === 0 ? store : second).traces.insertMany(batch);
      if (backend.name === 'postgres') await Promise.all(batches.map(write));
      else for (const [index, batch] of batches.entries()) await write(batch, index);
      const afterwards = await store.traceStats.summary({ from: start, to: start + span });
      assert.equal(afterwards.requests - before.requests, extra.length);
      assert.equal(afterwards.errors - before.errors, extra.filter((row) => row.status === 'error').length);
      assert.equal(
        afterwards.input_tokens - before.input_tokens,
        extra.reduce((sum, row) => sum + row.input_tokens, 0),
      );
      const all = [...rows, ...extra];
      // Project rows (per key), cross-project rows (per model, per minute) and the error rollup.
      for (const [bucket, groupBy] of [
        ['hour', 'key'],
        ['hour', 'model'],
        ['minute', undefined],
      ] as const) {
        const query = { from: start, to: start + span, bucket, ...(groupBy ? { groupBy } : {}) };
        assertMatches(await second.traceStats.timeseries(query), bruteForce(all, query), `after concurrent writes, ${bucket} ${groupBy}`);
      }
      const window = { from: start + 1_000, to: start + span - 1_000 };
      assertTopErrors(
        await second.traceStats.topErrors({ ...window, limit: 100 }),
        bruteForceErrors(all, window),
        'errors after concurrent writes',
      );
    });
  });
}
