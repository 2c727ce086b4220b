/**
 * `npm run bench:console [-- --rows N] [--runs N] [--dialect sqlite|postgres|both]`: seeds
 * 1,000,000 traces (by default) into a fresh SQLite file and a fresh Postgres database, starts
 * `fener serve` on each, and times the console's queries through the HTTP API — the trace list
 * (first page, filtered pages, a page deep in the cursor) and the dashboard (time series,
 * summary, top errors over 24 hours and 7 days) — one request at a time, warm, ≥ 30 runs each.
 * Prints p50/p95/max per query and PASS/FAIL against issue #8's 300 ms at p95. Exits 0 whatever
 * the figures; the Postgres database is dropped and the SQLite directory removed at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { request } from 'undici';
import { openStore, type Store } from '../src/store/index.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { createPlan, seedTraces, weekMs, type SeedPlan } from './console-seed.js';
import { summarize } from './latency-stats.js';
import { log } from './log.js';
import { cleanupOnExit, freePort, killChildrenOnExit, startChild, waitForHttp } from './processes.js';

const targetMs = 300;
const dayMs = 86_400_000;

interface Options {
  rows: number;
  runs: number;
  dialects: ('sqlite' | 'postgres')[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = { rows: 1_000_000, runs: 30, dialects: ['sqlite', 'postgres'] };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (flag === '--rows' && value) options.rows = Math.max(1_000, Number(value.replace(/[_,]/g, '')));
    else if (flag === '--runs' && value) options.runs = Math.max(30, Number(value));
    else if (flag === '--dialect' && (value === 'sqlite' || value === 'postgres')) options.dialects = [value];
    else if (flag === '--dialect' && value === 'both') options.dialects = ['sqlite', 'postgres'];
    else continue;
    index++;
  }
  return options;
}

interface Query {
  name: string;
  path: string;
  /** Sent with a project key instead of the admin key. */
  asProject?: boolean;
}

interface Measured {
  name: string;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
}

interface DialectResult {
  dialect: string;
  seedSeconds: number;
  analyzeSeconds: number;
  measured: Measured[];
}

async function get(url: string, key: string): Promise<{ status: number; text: string }> {
  const response = await request(url, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.statusCode, text: await response.body.text() };
}

function queries(plan: SeedPlan, deepCursor: string): Query[] {
  const { end } = plan;
  const day = `from=${end - dayMs}&to=${end}`;
  const week = `from=${end - weekMs}&to=${end}`;
  return [
    { name: 'traces: first page (50)', path: '/api/traces' },
    { name: 'traces: model = gpt-4o', path: '/api/traces?model=gpt-4o' },
    { name: 'traces: status = error', path: '/api/traces?status=error' },
    { name: 'traces: project + status = error', path: `/api/traces?project=${plan.projects[1]!.name}&status=error` },
    { name: 'traces: project key, first page', path: '/api/traces', asProject: true },
    { name: 'traces: page 3.5 days deep (cursor)', path: `/api/traces?cursor=${deepCursor}` },
    { name: 'stats: 24 h by hour', path: `/api/stats/timeseries?${day}&bucket=hour` },
    { name: 'stats: 24 h by minute', path: `/api/stats/timeseries?${day}&bucket=minute` },
    { name: 'stats: 24 h by hour × model', path: `/api/stats/timeseries?${day}&bucket=hour&group_by=model` },
    { name: 'stats: 7 d by hour', path: `/api/stats/timeseries?${week}&bucket=hour` },
    { name: 'stats: 7 d by hour × model', path: `/api/stats/timeseries?${week}&bucket=hour&group_by=model` },
    { name: 'stats: 7 d by hour × key', path: `/api/stats/timeseries?${week}&bucket=hour&group_by=key` },
    { name: 'stats: 7 d by day × deployment', path: `/api/stats/timeseries?${week}&bucket=day&group_by=deployment` },
    { name: 'stats: 7 d by hour, project key', path: `/api/stats/timeseries?${week}&bucket=hour&group_by=model`, asProject: true },
    { name: 'stats: summary 24 h', path: `/api/stats/summary?${day}` },
    { name: 'stats: summary 7 d', path: `/api/stats/summary?${week}` },
    { name: 'stats: top errors 24 h', path: `/api/stats/top-errors?${day}` },
    { name: 'stats: top errors 7 d', path: `/api/stats/top-errors?${week}` },
    { name: 'stats: top errors 7 d, project key', path: `/api/stats/top-errors?${week}`, asProject: true },
  ];
}

async function measure(url: string, keys: { admin: string; project: string }, query: Query, runs: number): Promise<Measured> {
  const key = query.asProject ? keys.project : keys.admin;
  let bytes = 0;
  for (let warm = 0; warm < 3; warm++) {
    const answer = await get(`${url}${query.path}`, key);
    if (answer.status !== 200) throw new Error(`${query.name}: ${answer.status} ${answer.text.slice(0, 300)}`);
    bytes = answer.text.length;
  }
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const began = performance.now();
    await get(`${url}${query.path}`, key);
    samples.push(performance.now() - began);
  }
  const summary = summarize(samples);
  const sorted = [...samples].sort((a, b) => a - b);
  const p95 = sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? NaN;
  return { name: query.name, p50: summary.p50, p95, max: summary.max, bytes };
}

interface Storage {
  env: Record<string, string>;
  open(): Promise<Store>;
  /** Refreshes the planner's statistics, as autovacuum (Postgres) or `PRAGMA optimize` (SQLite) would for a database this size. */
  analyze(): Promise<void>;
  remove(): Promise<void>;
}

async function storage(dialect: 'sqlite' | 'postgres'): Promise<Storage> {
  if (dialect === 'postgres') {
    const database = await createTestDatabase();
    return {
      env: { DATABASE_URL: database.url },
      open: () => openStore({ databaseUrl: database.url }),
      async analyze() {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query('analyze').finally(() => client.end());
      },
      remove: () => database.drop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fener-bench-console-'));
  const forget = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  return {
    env: { FENER_DATA_DIR: dataDir },
    open: () => openStore({ dataDir }),
    async analyze() {
      const database = new SqliteDatabase(join(dataDir, 'fener.db'));
      database.exec('analyze');
      database.close();
    },
    remove: async () => {
      rmSync(dir, { recursive: true, force: true });
      forget();
    },
  };
}

async function runDialect(dialect: 'sqlite' | 'postgres', options: Options): Promise<DialectResult> {
  const where = await storage(dialect);
  const home = mkdtempSync(join(tmpdir(), 'fener-bench-home-'));
  try {
    const store = await where.open();
    const plan = await createPlan(store, Date.now());
    log(`${dialect}: seeding ${options.rows.toLocaleString('en')} traces`);
    const seedSeconds = await seedTraces(store, plan, options.rows);
    log(`${dialect}: seeded in ${seedSeconds.toFixed(1)} s; analysing`);
    await store.close();
    const analyzing = performance.now();
    await where.analyze();
    const analyzeSeconds = (performance.now() - analyzing) / 1000;

    const port = await freePort();
    const adminKey = `sk-fener-admin-bench-${randomBytes(12).toString('hex')}`;
    const config = join(home, 'fener.yaml');
    writeFileSync(config, 'providers: []\nmodels: []\n');
    const server = startChild({
      name: `fener (${dialect})`,
      cwd: process.cwd(),
      args: ['--import', 'tsx', 'test/support/fener-cli.ts', 'serve', '--config', config],
      env: { ...where.env, FENER_ADMIN_KEY: adminKey, FENER_LOG_LEVEL: 'warn', FENER_PORT: String(port) },
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(server, `${url}/healthz`);
      const deep = JSON.parse((await get(`${url}/api/traces?limit=1&to=${plan.end - 3.5 * dayMs}`, adminKey)).text) as {
        next_cursor: string;
      };
      const keys = { admin: adminKey, project: plan.projects[0]!.keys[0]!.secret };
      const measured: Measured[] = [];
      for (const query of queries(plan, deep.next_cursor)) {
        const result = await measure(url, keys, query, options.runs);
        log(`${dialect}: ${query.name}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms`);
        measured.push(result);
      }
      return { dialect, seedSeconds, analyzeSeconds, measured };
    } finally {
      await server.stop(30_000);
    }
  } finally {
    await where.remove();
    rmSync(home, { recursive: true, force: true });
  }
}

function report(results: DialectResult[], options: Options): string {
  const lines = [
    `## bench:console — ${options.rows.toLocaleString('en')} traces, ${options.runs} warm runs per query, one at a time, through HTTP`,
    '',
    `| query | ${results.map((result) => `${result.dialect} p50 / p95 / max (ms)`).join(' | ')} | p95 < ${targetMs} ms |`,
    `| --- | ${results.map(() => '---:').join(' | ')} | --- |`,
  ];
  const names = results[0]?.measured.map((item) => item.name) ?? [];
  for (const name of names) {
    const cells = results.map((result) => {
      const item = result.measured.find((candidate) => candidate.name === name);
      return item ? `${item.p50.toFixed(1)} / ${item.p95.toFixed(1)} / ${item.max.toFixed(1)}` : '—';
    });
    const pass = results.every((result) => (result.measured.find((candidate) => candidate.name === name)?.p95 ?? Infinity) < targetMs);
    lines.push(`| ${name} | ${cells.join(' | ')} | ${pass ? 'PASS' : 'FAIL'} |`);
  }
  lines.push('');
  for (const result of results) {
    lines.push(
      `- ${result.dialect}: seeding ${(options.rows / result.seedSeconds).toLocaleString('en', { maximumFractionDigits: 0 })} traces/s (${result.seedSeconds.toFixed(0)} s, rollups included), ANALYZE ${result.analyzeSeconds.toFixed(1)} s`,
    );
  }
  const failed = results.flatMap((result) =>
    result.measured.filter((item) => item.p95 >= targetMs).map((item) => `${result.dialect}: ${item.name}`),
  );
  lines.push('', failed.length === 0 ? `PASS: every query's p95 is under ${targetMs} ms.` : `FAIL: ${failed.join('; ')}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  killChildrenOnExit();
  const options = parseOptions(process.argv.slice(2));
  const results: DialectResult[] = [];
  for (const dialect of options.dialects) results.push(await runDialect(dialect, options));
  process.stdout.write(`${report(results, options)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:console failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
