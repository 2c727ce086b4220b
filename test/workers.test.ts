/**
 * Issue #4, many processes on one machine: `fener serve --workers 2` (SQLite in a temporary data
 * directory) as a real process tree. Both workers answer on one port, a killed worker is replaced
 * while the other keeps answering, and SIGTERM to the primary drains both workers — exit code 0
 * and every call's trace in the database. Workers that cannot start must not leave it hanging.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { openStore } from '../src/store/index.js';
import { cliEntry } from './support/cli.js';
import { chat, inParallel, pause, settledValue, type ChatAnswer } from './support/chat-client.js';
import { isAlive, isListening, startServe, type LogLine, type ServeProcess } from './support/serve-process.js';

const adminKey = 'sk-fener-admin-workers-test';

describe('fener serve --workers 2', () => {
  let mock: MockProvider;
  let dataDir: string;
  let server: ServeProcess;
  let key: string;
  /** Every answer the server gave, for the trace count at the end. */
  const answers: ChatAnswer[] = [];
  /** How long the primary took to exit after SIGTERM. */
  let drainMs: number | undefined;

  const workerPids = (): number[] => [...new Set(server.logs.filter(isListening).map((line) => Number(line.pid)))];
  /** Pids of the workers that logged a `/v1` request (the log level is debug: one line per request), sorted. */
  const answeringPids = (from: number): number[] =>
    [
      ...new Set(
        server.logs
          .slice(from)
          .filter((line) => line.msg === 'request' && String(line.url).startsWith('/v1/'))
          .map((line) => Number(line.pid)),
      ),
    ].sort();
  const send = async (count: number, options: { stream?: (index: number) => boolean; agent?: Agent } = {}): Promise<ChatAnswer[]> => {
    const sent = await inParallel(count, 10, (index) =>
      chat({
        url: server.url,
        key,
        model: 'small',
        content: `hello ${answers.length + index}`,
        stream: options.stream?.(index) ?? index % 2 === 1,
        ...(options.agent ? { dispatcher: options.agent } : {}),
      }),
    );
    answers.push(...sent);
    return sent;
  };
  const traceCount = async (): Promise<number> => {
    const store = await openStore({ dataDir, migrate: false });
    try {
      return await store.traces.count();
    } finally {
      await store.close();
    }
  };

  before(async () => {
    const started = Date.now();
    mock = await startMockProvider({ port: 0, seed: 4, outputTokens: 12, ttftMs: 10, tokensPerSecond: 60 });
    dataDir = mkdtempSync(join(tmpdir(), 'fener-workers-'));
    const configPath = join(dataDir, 'fener.yaml');
    writeFileSync(
      configPath,
      `providers:\n  - id: upstream\n    type: openai-compatible\n    base_url: ${mock.url}/v1\nmodels:\n  - name: small\n    provider: upstream\n    price: { input_per_mtok: 1, output_per_mtok: 2 }\nserver:\n  shutdown_grace_ms: 5000\n`,
    );
    server = await startServe({
      env: {
        FENER_DATA_DIR: dataDir,
        FENER_CONFIG: configPath,
        FENER_ADMIN_KEY: adminKey,
        FENER_LOG_LEVEL: 'debug',
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      args: ['--workers', '2'],
      listening: 2,
    });
    const response = await fetch(`${server.url}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'workers' }),
    });
    assert.equal(response.status, 201);
    key = ((await response.json()) as { key: string }).key;
    process.stdout.write(`# primary and two workers ready in ${Date.now() - started} ms\n`);
  });

  after(async () => {
    // Workers exit by themselves when their primary goes (node:cluster disconnects them).
    await server?.stop('SIGKILL');
    await mock?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('two workers listen on one port and both answer', async () => {
    const listening = server.logs.filter(isListening);
    assert.equal(listening.length, 2);
    const pids = workerPids();
    assert.equal(pids.length, 2, 'two different worker processes');
    assert.ok(!pids.includes(Number(server.child.pid)), 'the primary itself does not serve');
    assert.equal(new Set(listening.map((line) => line.url)).size, 1, 'both on the same address');

    const from = server.logs.length;
    const sent = await send(40);
    assert.equal(statusCounts(sent), '200×40');
    assert.ok(sent.every((answer) => answer.complete));
    const seen = await settledValue(async () => answeringPids(from), { until: (found) => found.length === 2, stableForMs: 3000 });
    assert.deepEqual(seen, [...pids].sort(), 'requests were spread over both workers');
  });

  test('a worker killed with SIGKILL is replaced, and the other keeps answering meanwhile', async () => {
    // Its traces are written first: SIGKILL gives a worker no chance to write what it still holds.
    assert.equal(await settledValue(traceCount, { until: (count) => count === answers.length }), answers.length);
    const [victim, survivor] = workerPids() as [number, number];
    const from = server.logs.length;
    process.kill(victim, 'SIGKILL');
    const died = await server.waitForLog((line) => line.msg === 'worker died; starting another' && line.worker === victim);
    assert.equal(died.signal, 'SIGKILL');

    // New connections only: none may be left over from the killed worker.
    const agent = new Agent({ connections: 4 });
    const meanwhile: ChatAnswer[] = [];
    let replacement: LogLine | undefined;
    server
      .waitForLog((line) => server.logs.indexOf(line) >= from && isListening(line), 20_000)
      .then((line) => (replacement = line))
      .catch(() => undefined); // the wait below reports it
    do meanwhile.push(...(await send(4, { agent })));
    while (!replacement && meanwhile.length < 400);
    const newcomer = await server.waitForLog((line) => server.logs.indexOf(line) >= from && isListening(line), 20_000);
    assert.equal(statusCounts(meanwhile), `200×${meanwhile.length}`, 'no call failed while a worker was missing');
    const fresh = Number(newcomer.pid);
    assert.ok(![victim, survivor, Number(server.child.pid)].includes(fresh), 'a new process');
    assert.ok(!isAlive(victim));

    await agent.close();
    const afterwards = server.logs.length;
    const spread = new Agent({ connections: 10 });
    const later = await send(40, { agent: spread });
    await spread.close();
    assert.equal(statusCounts(later), '200×40');
    const seen = await settledValue(async () => answeringPids(afterwards), { until: (found) => found.length === 2, stableForMs: 3000 });
    assert.deepEqual(seen, [fresh, survivor].sort(), 'the replacement takes its share of the traffic');
  });

  test('SIGTERM to the primary drains both workers in flight, exits 0, and every trace is written', async () => {
    const workers = workerPids().filter(isAlive);
    assert.equal(workers.length, 2);
    const before = mock.stats().requests;
    // 12 tokens at 60 per second: each stream is still running when the signal arrives. The client
    // keeps its connections alive for 30 s once idle, as a load balancer in front would.
    const agent = new Agent({ connections: 20, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 30_000 });
    const streams = send(20, { stream: () => true, agent });
    while (mock.stats().requests < before + 20) await pause(5);
    const stoppedAt = Date.now();
    server.child.kill('SIGTERM');
    const drained = await streams;
    const code = await server.exited;
    drainMs = Date.now() - stoppedAt;
    process.stdout.write(`# the primary exited ${drainMs} ms after SIGTERM\n`);
    await agent.close();
    assert.equal(code, 0, 'the primary exits 0');
    assert.equal(statusCounts(drained), '200×20');
    assert.ok(
      drained.every((answer) => answer.complete),
      'every stream in flight ran to [DONE]',
    );
    const stopped = server.logs.filter((line) => line.msg === 'stopped').map((line) => Number(line.pid));
    assert.deepEqual(stopped.sort(), [...workers].sort(), 'each worker drained and stopped itself');
    assert.ok(!server.logs.some((line) => line.msg === 'worker died; starting another' && workers.includes(Number(line.worker))));
    for (const pid of workers) assert.ok(!isAlive(pid), `worker ${pid} is gone`);

    const store = await openStore({ dataDir, migrate: false });
    try {
      assert.equal(await store.traces.count(), answers.length, 'one trace per call');
      for (const answer of answers) assert.ok(await store.traces.get(answer.traceId), `trace ${answer.traceId}`);
    } finally {
      await store.close();
    }
  });

  test('the drain ends when the calls in flight end, not when idle client connections time out', () => {
    assert.ok(drainMs !== undefined, 'the SIGTERM test ran');
    assert.ok(drainMs < 3000, `the streams took ~200 ms, the shutdown ${drainMs} ms`);
  });
});

test('workers that cannot listen (port taken) make the whole command fail instead of hanging', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const port = (blocker.address() as AddressInfo).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'fener-workers-busy-'));
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'serve', '--workers', '2', '--port', String(port)], {
    env: { ...process.env, FENER_DATA_DIR: dataDir, FENER_ADMIN_KEY: adminKey, FENER_LOG_LEVEL: 'info', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 40_000;
    while ((stderr.match(/EADDRINUSE/g) ?? []).length < 2 && child.exitCode === null && Date.now() < deadline) await pause(50);
    assert.match(stderr, /EADDRINUSE/, 'the workers report the taken port');
    const code = await Promise.race([exited, pause(3000).then(() => 'still running')]);
    assert.ok(typeof code === 'number' && code !== 0, `3 s after both workers failed, the command is ${String(code)}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, pause(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function statusCounts(answers: ChatAnswer[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${status}×${count}`).join(', ');
}
