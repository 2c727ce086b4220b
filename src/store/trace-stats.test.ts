/**
 * The dashboard's rollups against a brute-force computation over the same raw traces, on SQLite
 * and on the real Postgres: counts and sums equal, percentiles within the histogram's stated
 * error; and writers in two stores at once add up exactly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.js';
import { openStore, type Store, type TraceRow } from './index.js';
import { histogramRelativeError } from './latency-histogram.js';
import { bucketMs, type StatsBucket, type StatsGroupBy, type StatsPoint } from './trace-stats.js';

const start = Date.UTC(2026, 10, 20, 10, 17, 0);
const span = 50 * 3_600_000;

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function makeTraces(count: number, seed: number, prefix: string): TraceRow[] {
  const next = random(seed);
  const rows: TraceRow[] = [];
  for (let i = 0; i < count; i++) {
    const project = pick(next, ['prj_a', 'prj_b', 'prj_c']);
    const failed = next() < 0.05;
    const streamed = next() < 0.5;
    rows.push({
      id: `trc_${prefix}${String(i).padStart(7, '0')}`,
      trace_id: `t${i}`,
      request_id: `req_${i}`,
      project_id: project,
      key_id: next() < 0.1 ? null : `key_${project}_${pick(next, ['1', '2'])}`,
      created_at: start + Math.floor(next() * span),
      endpoint: 'chat.completions',
      model: pick(next, ['small', 'large', 'embed']),
      provider: 'upstream',
      upstream_model: null,
      status: failed ? 'error' : 'ok',
      http_status: failed ? 502 : 200,
      error_code: failed ? pick(next, ['upstream_error', 'upstream_timeout']) : null,
      error_message: failed ? pick(next, ['bad gateway', 'timed out']) : null,
      end_user: null,
      session_id: null,
      metadata: null,
      request_body: null,
      response_body: null,
      stream: streamed ? 1 : 0,
      latency_ms: Math.exp(next() * 9) * 0.5,
      ttft_ms: streamed ? Math.exp(next() * 7) * 0.5 : null,
      input_tokens: Math.floor(next() * 2_000),
      output_tokens: Math.floor(next() * 800),
      cached_input_tokens: 0,
      tokens_estimated: 0,
      cost_usd: next() / 100,
      attempts: 1,
      cache_hit: null,
      cost_saved_usd: 0,
      deployment: next() < 0.4 ? pick(next, ['support-bot', 'search']) : null,
    });
  }
  return rows;
}

/** Exact nearest-rank percentile. */
function exactPercentile(values: number[], quantile: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1]!;
}

function groupOf(row: TraceRow, groupBy: StatsGroupBy | undefined): string | null {
  if (groupBy === undefined) return null;
  if (groupBy === 'project') return row.project_id;
  if (groupBy === 'model') return row.model;
  if (groupBy === 'key') return row.key_id;
  return row.deployment ?? null;
}

function bruteForce(
  rows: TraceRow[],
  query: { from: number; to: number; bucket: StatsBucket; groupBy?: StatsGroupBy; projectId?: string },
) {
  const size = bucketMs[query.bucket];
  const from = Math.floor(query.from / size) * size;
  const to = Math.ceil(query.to / size) * size;
  const points = new Map<string, { t: number; group: string | null; rows: TraceRow[] }>();
  for (const row of rows) {
    if (row.created_at < from || row.created_at >= to) continue;
    if (query.projectId !== undefined && row.project_id !== query.projectId) continue;
    const t = Math.floor(row.created_at / size) * size;
    const group = groupOf(row, query.groupBy);
    const id = `${t}/${group}`;
    const point = points.get(id) ?? { t, group, rows: [] };
    point.rows.push(row);
    points.set(id, point);
  }
  return points;
}

function assertClose(actual: number | null, expected: number | null, tolerance: number, what: string): void {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(actual !== null, `${what}: expected ${expected}, got null`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.abs(expected) + 1e-3,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

function assertMatches(actual: StatsPoint[], expected: ReturnType<typeof bruteForce>, label: string): void {
  assert.equal(actual.length, expected.size, `${label}: number of points`);
  for (const point of actual) {
    const truth = expected.get(`${point.t}/${point.group}`);
    assert.ok(truth, `${label}: unexpected point ${point.t}/${point.group}`);
    const what = `${label} ${new Date(point.t).toISOString()} ${point.group}`;
    assert.equal(point.requests, truth.rows.length, `${what}: requests`);
    assert.equal(point.errors, truth.rows.filter((row) => row.status === 'error').length, `${what}: errors`);
    assert.equal(
      point.input_tokens,
      truth.rows.reduce((sum, row) => sum + row.input_tokens, 0),
      `${what}: input tokens`,
    );
    assert.equal(
      point.output_tokens,
      truth.rows.reduce((sum, row) => sum + row.output_tokens, 0),
      `${what}: output tokens`,
    );
    assertClose(
      point.cost_usd,
      truth.rows.reduce((sum, row) => sum + row.cost_usd, 0),
      1e-9,
      `${what}: cost`,
    );
    const latencies = truth.rows.map((row) => row.latency_ms);
    const ttfts = truth.rows.flatMap((row) => (row.ttft_ms === null ? [] : [row.ttft_ms]));
    const bound = histogramRelativeError + 1e-6;
    assertClose(point.p50_ms, exactPercentile(latencies, 0.5), bound, `${what}: p50`);
    assertClose(point.p95_ms, exactPercentile(latencies, 0.95), bound, `${what}: p95`);
    assertClose(point.p99_ms, exactPercentile(latencies, 0.99), bound, `${what}: p99`);
    assertClose(point.ttft_p50_ms, exactPercentile(ttfts, 0.5), bound, `${what}: ttft p50`);
  }
}

interface Backend {
  name: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

function backends(): Backend[] {
  const dir = mkdtempSync(join(tmpdir(), 'fener-stats-'));
  let database: TestDatabase | undefined;
  return [
    { name: 'sqlite', open: () => openStore({ dataDir: dir }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) },
    {
      name: 'postgres',
      open: async () => {
        database ??= await createTestDatabase();
        return openStore({ databaseUrl: database.url });
      },
      cleanup: async () => database?.drop(),
    },
  ];
}

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

    test('top errors are exact: counts and last time per code and message', async () => {
      const from = start + 3_600_000;
      const to = start + 40 * 3_600_000;
      const errors = await store.traceStats.topErrors({ from, to, limit: 10 });
      const expected = new Map<string, { count: number; last: number }>();
      for (const row of rows) {
        if (row.status !== 'error' || row.created_at < from || row.created_at >= to) continue;
        const id = `${row.error_code}/${row.error_message}`;
        const entry = expected.get(id) ?? { count: 0, last: 0 };
        expected.set(id, { count: entry.count + 1, last: Math.max(entry.last, row.created_at) });
      }
      assert.equal(errors.length, expected.size);
      for (const error of errors) {
        assert.deepEqual({ count: error.count, last: error.last_at }, expected.get(`${error.code}/${error.message}`));
      }
      assert.deepEqual(
        errors.map((error) => error.count),
        [...errors.map((error) => error.count)].sort((a, b) => b - a),
      );
      assert.equal((await store.traceStats.topErrors({ from, to, limit: 1 })).length, 1);
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
      const query = { from: start, to: start + span, bucket: 'hour' as const, groupBy: 'key' as const };
      assertMatches(await second.traceStats.timeseries(query), bruteForce(all, query), 'after concurrent writes');
    });
  });
}
