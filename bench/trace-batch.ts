/**
 * `node --import tsx bench/trace-batch.ts [--dialect sqlite|postgres] [--batches N]`: the write
 * side of the dashboard's rollups. Seeds 20,000 traces into a fresh store (SQLite in a temporary
 * directory, or a fresh Postgres database, dropped afterwards), then times `traces.insertMany` of
 * 100-trace batches spaced as a busy gateway's recorder would write them (one call every 7 ms:
 * each batch lands in one or two minute buckets), rollups included. Prints p50 / p90 / mean wall
 * time and this process's CPU time per batch (on SQLite that is all the work, and it is far less
 * disturbed than wall time by other processes on a shared machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type TraceRow } from '../src/store/index.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { createPlan, makeTrace, random, seedTraces } from './console-seed.js';
import { summarize } from './latency-stats.js';

const argv = process.argv.slice(2);
const dialect = argv[argv.indexOf('--dialect') + 1] === 'postgres' ? 'postgres' : 'sqlite';
const batches = argv.includes('--batches') ? Number(argv[argv.indexOf('--batches') + 1]) : 100;
const warmUp = 10;

const dir = mkdtempSync(join(tmpdir(), 'fener-bench-batch-'));
const database = dialect === 'postgres' ? await createTestDatabase() : undefined;
try {
  const store = database ? await openStore({ databaseUrl: database.url }) : await openStore({ dataDir: dir });
  const plan = await createPlan(store, Date.now());
  await seedTraces(store, plan, 20_000);
  const next = random(7);
  let now = plan.end;
  const samples: number[] = [];
  let cpuMicros = 0;
  for (let index = 0; index < warmUp + batches; index++) {
    const batch: TraceRow[] = [];
    for (let item = 0; item < 100; item++) batch.push(makeTrace(plan, next, (now += 7)));
    const began = performance.now();
    const cpu = process.cpuUsage();
    await store.traces.insertMany(batch);
    if (index < warmUp) continue;
    samples.push(performance.now() - began);
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
  }
  await store.close();
  const summary = summarize(samples);
  process.stdout.write(
    `${dialect}: 100-trace batch, ${batches} batches: p50 ${summary.p50.toFixed(2)} ms, p90 ${summary.p90.toFixed(2)} ms, mean ${summary.mean.toFixed(2)} ms; CPU ${(cpuMicros / 1000 / batches).toFixed(2)} ms per batch in this process\n`,
  );
} finally {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
}
