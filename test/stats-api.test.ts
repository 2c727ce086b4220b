/** `/api/stats/*` over HTTP: answers from traces written by the recorder's path, validation, and project scoping. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TraceRow } from '../src/store/index.js';
import { startTestServer, type TestServer } from './support/fener.js';

interface ErrorBody {
  error: { code: string; message: string; param?: string };
}

interface Point {
  t: number;
  group: string | null;
  requests: number;
  errors: number;
  p50_ms: number | null;
}

const hour = 3_600_000;
const start = Date.UTC(2026, 10, 27, 8, 0, 0);

function trace(index: number, projectId: string, keyId: string, failed = false): TraceRow {
  return {
    id: `trc_stats${String(index).padStart(6, '0')}`,
    trace_id: `t${index}`,
    request_id: `req_${index}`,
    project_id: projectId,
    key_id: keyId,
    created_at: start + (index % 3) * hour + index * 1_000,
    endpoint: 'chat.completions',
    model: index % 2 === 0 ? 'small' : 'large',
    provider: 'upstream',
    upstream_model: null,
    status: failed ? 'error' : 'ok',
    http_status: failed ? 504 : 200,
    error_code: failed ? 'upstream_timeout' : null,
    error_message: failed ? 'timed out' : null,
    end_user: null,
    session_id: null,
    metadata: null,
    request_body: null,
    response_body: null,
    stream: 0,
    latency_ms: 100 + index,
    ttft_ms: null,
    input_tokens: 10,
    output_tokens: 5,
    cached_input_tokens: 0,
    tokens_estimated: 0,
    cost_usd: 0.001,
    attempts: 1,
    cache_hit: null,
    cost_saved_usd: 0,
    deployment: index % 4 === 0 ? 'support-bot' : null,
  };
}

describe('stats API', () => {
  let server: TestServer;
  let alphaKey: string;
  let alphaId: string;
  let betaId: string;
  const window = `from=${start}&to=${start + 6 * hour}`;

  before(async () => {
    server = await startTestServer();
    const { store } = server.context;
    const alpha = await store.projects.create('alpha');
    const beta = await store.projects.create('beta');
    alphaId = alpha.id;
    betaId = beta.id;
    const created = await store.keys.create({ projectId: alpha.id, name: 'alpha app', kind: 'project' });
    alphaKey = created.secret;
    const rows = [
      ...Array.from({ length: 30 }, (_, index) => trace(index, alpha.id, created.key.id, index % 10 === 0)),
      ...Array.from({ length: 12 }, (_, index) => trace(100 + index, beta.id, 'key_beta', true)),
    ];
    await store.traces.insertMany(rows);
  });
  after(() => server.stop());

  async function get<T>(path: string, key = server.adminKey): Promise<{ status: number; body: T }> {
    const response = await server.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
    return { status: response.statusCode, body: response.json<T>() };
  }

  test('the admin key sees every project; group_by=project splits them', async () => {
    const { status, body } = await get<{ buckets: Point[] }>(`/api/stats/timeseries?${window}&bucket=hour&group_by=project`);
    assert.equal(status, 200);
    const byProject = new Map<string | null, number>();
    for (const point of body.buckets) byProject.set(point.group, (byProject.get(point.group) ?? 0) + point.requests);
    assert.deepEqual(Object.fromEntries(byProject), { [alphaId]: 30, [betaId]: 12 });
    assert.ok(body.buckets.every((point) => point.p50_ms !== null && point.t % hour === 0));
  });

  test('a project key sees its own project only, and is refused another', async () => {
    const own = await get<{ buckets: Point[] }>(`/api/stats/timeseries?${window}&bucket=day`, alphaKey);
    assert.equal(own.status, 200);
    assert.deepEqual(
      own.body.buckets.map((point) => [point.requests, point.errors]),
      [[30, 3]],
    );
    const named = await get<{ buckets: Point[] }>(`/api/stats/timeseries?${window}&bucket=day&project=alpha`, alphaKey);
    assert.equal(named.status, 200);
    const other = await get<ErrorBody>(`/api/stats/timeseries?${window}&project=beta`, alphaKey);
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'forbidden');
    const errors = await get<{ data: { code: string; count: number }[] }>(`/api/stats/top-errors?${window}`, alphaKey);
    assert.deepEqual(
      errors.body.data.map((error) => [error.code, error.count]),
      [['upstream_timeout', 3]],
    );
    const summary = await get<{ requests: number }>(`/api/stats/summary?${window}`, alphaKey);
    assert.equal(summary.body.requests, 30);
  });

  test('the admin key can narrow to one project; top errors count exactly', async () => {
    const summary = await get<{ requests: number; errors: number }>(`/api/stats/summary?${window}&project=beta`);
    assert.deepEqual([summary.body.requests, summary.body.errors], [12, 12]);
    const errors = await get<{ data: { code: string; message: string; count: number; last_at: number }[] }>(
      `/api/stats/top-errors?${window}&limit=5`,
    );
    assert.deepEqual(
      errors.body.data.map((error) => [error.code, error.message, error.count]),
      [['upstream_timeout', 'timed out', 15]],
    );
    const grouped = await get<{ buckets: Point[] }>(`/api/stats/timeseries?${window}&bucket=day&group_by=deployment`);
    assert.deepEqual(
      grouped.body.buckets.map((point) => [point.group, point.requests]),
      [
        [null, 31],
        ['support-bot', 11],
      ],
    );
  });

  test('bad windows and parameters are refused with 400 and the parameter named', async () => {
    const cases: [string, string, RegExp][] = [
      [`/api/stats/timeseries?from=${start}&to=${start}`, 'query.from', /must be before/],
      [`/api/stats/timeseries?from=${start + hour}&to=${start}`, 'query.from', /must be before/],
      [
        `/api/stats/timeseries?from=${start}&to=${start + 3 * 86_400_000}&bucket=minute`,
        'query.bucket',
        /4320 minute buckets; at most 2000/,
      ],
      ['/api/stats/timeseries?bucket=week', 'query.bucket', /minute|hour|day/],
      ['/api/stats/timeseries?group_by=colour', 'query.group_by', /model/],
      ['/api/stats/summary?from=yesterday', 'query.from', /epoch milliseconds or an ISO 8601 date/],
      ['/api/stats/top-errors?limit=0', 'query.limit', /./],
      ['/api/stats/top-errors?limit=1000', 'query.limit', /./],
    ];
    for (const [path, param, message] of cases) {
      const { status, body } = await get<ErrorBody>(path);
      assert.equal(status, 400, path);
      assert.equal(body.error.code, 'invalid_request', path);
      assert.equal(body.error.param, param, path);
      assert.match(body.error.message, message, path);
    }
    const unknown = await get<ErrorBody>(`/api/stats/summary?project=nowhere`);
    assert.equal(unknown.status, 404);
    const anonymous = await server.app.inject({ method: 'GET', url: '/api/stats/summary' });
    assert.equal(anonymous.statusCode, 401);
  });

  test('the OpenAPI document describes the stats routes', async () => {
    const { body } = await get<{ paths: Record<string, unknown> }>('/api/openapi.json');
    for (const path of ['/api/stats/timeseries', '/api/stats/summary', '/api/stats/top-errors']) assert.ok(body.paths[path], path);
  });
});
