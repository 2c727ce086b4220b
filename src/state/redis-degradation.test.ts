/**
 * Redis going away, hanging, and coming back: the state keeps answering from memory, says so
 * once, and returns to Redis on its own. The outage is real: a TCP proxy in front of the real
 * Redis is closed or stalled.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, afterEach, test } from 'node:test';
import { deletePrefix, directClient, redisUrl, uniquePrefix } from '../../test/support/redis.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { createRedisState, type RedisState, type StateLogger } from './index.js';

interface LogLine {
  level: 'warn' | 'info' | 'debug';
  message: string;
}

function capturingLogger(): { logger: StateLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const write =
    (level: LogLine['level']) =>
    (first: unknown, second?: unknown): void => {
      lines.push({ level, message: String(typeof first === 'string' ? first : second) });
    };
  return { logger: { warn: write('warn'), info: write('info'), debug: write('debug') } as StateLogger, lines };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const target = new URL(redisUrl);
const prefix = uniquePrefix('degradation');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
after(() => deletePrefix(prefix));

function open(url: string, logger: StateLogger): RedisState {
  const state = createRedisState(url, { logger, keyPrefix: prefix, opTimeoutMs: 100, probeIntervalMs: 100 });
  cleanups.push(() => state.close());
  return state;
}

test('with nothing listening, the state serves from memory and reports degraded', async () => {
  const { logger, lines } = capturingLogger();
  const state = open(`redis://127.0.0.1:${await freePort()}`, logger);
  const window = { key: 'rl:down', amount: 1, limit: 2, windowMs: 60_000 };
  assert.equal((await state.consume(window)).allowed, true);
  assert.equal(state.degraded, true);
  assert.equal((await state.consume(window)).allowed, true);
  assert.equal((await state.consume(window)).allowed, false, 'limits still hold, per process');
  await state.set('k', 'v', 60_000);
  assert.equal(await state.get('k'), 'v');
  assert.equal(lines.filter((line) => line.level === 'warn').length, 1, 'the degradation is logged once');
});

test('Redis cut and restored: memory in between, then back to Redis with a logged recovery', async () => {
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  const port = await proxy.start(0);
  cleanups.push(() => proxy.stop());
  const { logger, lines } = capturingLogger();
  const state = open(`redis://127.0.0.1:${port}`, logger);
  const client = await directClient();
  cleanups.push(async () => client.disconnect());

  await state.set('shared', 'from-redis', 60_000);
  assert.equal(await client.get(`${prefix}shared`), 'from-redis');
  assert.equal(state.degraded, false);

  await proxy.stop();
  const started = performance.now();
  assert.equal(await state.get('shared'), undefined, 'served from an empty local memory');
  assert.ok(performance.now() - started < 500, 'the caller did not wait for the outage');
  assert.equal(state.degraded, true);
  await state.set('local', 'only-here', 60_000);
  assert.equal(await state.get('local'), 'only-here');

  await proxy.start(port);
  await waitFor(() => !state.degraded, 5000);
  assert.equal(await state.get('shared'), 'from-redis', 'reads go to Redis again');
  assert.equal(await state.get('local'), undefined);
  assert.deepEqual(
    lines.filter((line) => line.level !== 'debug').map((line) => line.level),
    ['warn', 'info'],
  );
});

test('a hung Redis: operations give up after opTimeoutMs and are answered locally', async () => {
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  const port = await proxy.start(0);
  cleanups.push(() => proxy.stop());
  const { logger } = capturingLogger();
  const state = open(`redis://127.0.0.1:${port}`, logger);
  await state.reserve({ key: 'budget:hung', amount: 0.1, limit: 1, ttlMs: 60_000, initialSpent: 0 });
  assert.equal(state.degraded, false);

  proxy.stall();
  const started = performance.now();
  // This one reaches Redis only after the caller gave up on it: its hold must not outlive holdMs.
  const answer = await state.reserve({ key: 'budget:hung', amount: 0.1, limit: 1, ttlMs: 60_000, holdMs: 1000 });
  const waited = performance.now() - started;
  assert.ok(waited >= 90 && waited < 400, `waited ${waited.toFixed(0)} ms`);
  assert.equal(answer.missing, true, 'the local memory asks for the spend to be seeded from the database');
  assert.equal(state.degraded, true);

  proxy.resume();
  await waitFor(() => !state.degraded, 5000);
  // The budget was charged locally during the outage, so its Redis counter no longer knows all
  // the spend: it is dropped, and the next reservation seeds it again from the traces.
  const deadline = Date.now() + 2000;
  while (!(await state.readBudget('budget:hung')).missing && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const reseeded = await state.reserve({ key: 'budget:hung', amount: 0.1, limit: 1, ttlMs: 60_000, initialSpent: 0.5 });
  assert.equal(reseeded.allowed, true);
  assert.ok(Math.abs(reseeded.spent - 0.5) < 1e-9, `seeded from the given spend: ${reseeded.spent}`);
});
