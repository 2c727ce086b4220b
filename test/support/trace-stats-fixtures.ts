/**
 * Traces and brute-force answers for the dashboard's rollup tests (src/store/trace-stats*.test.ts),
 * and the two stores they run on: SQLite in a temporary directory and a fresh Postgres database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store, type TraceRow } from '../../src/store/index.js';
import { histogramRelativeError } from '../../src/store/latency-histogram.js';
import { bucketMs, type StatsBucket, type StatsGroupBy, type StatsPoint, type TopError } from '../../src/store/trace-stats.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const start = Date.UTC(2026, 10, 20, 10, 17, 0);
export const span = 50 * 3_600_000;

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

const longMessage = `The upstream answered 500: ${'<html>internal error</html> '.repeat(200)}`;

export function makeTraces(count: number, seed: number, prefix: string): TraceRow[] {
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
      // A null code, and a message longer than a Postgres index entry may be, among them.
      error_code: failed ? pick(next, ['upstream_error', 'upstream_timeout', null]) : null,
      error_message: failed ? pick(next, ['bad gateway', 'timed out', longMessage]) : null,
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
export function exactPercentile(values: number[], quantile: number): number | null {
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

export function bruteForce(
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

export function assertClose(actual: number | null, expected: number | null, tolerance: number, what: string): void {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(actual !== null, `${what}: expected ${expected}, got null`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.abs(expected) + 1e-3,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

export function assertMatches(actual: StatsPoint[], expected: ReturnType<typeof bruteForce>, label: string): void {
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

export interface Backend {
  name: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function backends(): Backend[] {
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

/** Top errors counted from the raw traces: (code, message) → count and last time, as the API names them. */
export function bruteForceErrors(rows: TraceRow[], window: { from: number; to: number; projectId?: string }) {
  const expected = new Map<string, { count: number; last: number }>();
  for (const row of rows) {
    if (row.status !== 'error' || row.created_at < window.from || row.created_at >= window.to) continue;
    if (window.projectId !== undefined && row.project_id !== window.projectId) continue;
    const id = errorId({ code: row.error_code ?? 'unknown', message: row.error_message ?? '' });
    const entry = expected.get(id) ?? { count: 0, last: 0 };
    expected.set(id, { count: entry.count + 1, last: Math.max(entry.last, row.created_at) });
  }
  return expected;
}

export function errorId(error: Pick<TopError, 'code' | 'message'>): string {
  return `${error.code}/${error.message}`;
}

export function assertTopErrors(actual: TopError[], expected: ReturnType<typeof bruteForceErrors>, label: string): void {
  assert.equal(actual.length, expected.size, `${label}: number of errors`);
  for (const error of actual) {
    assert.deepEqual({ count: error.count, last: error.last_at }, expected.get(errorId(error)), `${label}: ${error.code}`);
  }
  assert.deepEqual(
    actual.map((error) => error.count),
    [...actual.map((error) => error.count)].sort((a, b) => b - a),
    `${label}: sorted by count`,
  );
}
