/**
 * Issue #4, shared state across replicas: real `fener serve` processes on one Postgres database
 * and the real Redis — the production replica setup — in front of the mock provider. Budgets,
 * rate limits and revocations must hold across replicas A and B; replica C reaches Redis through
 * a TCP proxy that the outage test cuts: C must keep serving on local limits, say so, and share
 * them again when Redis is back. (A and B talk to Redis directly, so that nothing in this test
 * process sits on their Redis path.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { chat, inParallel, pause, settledValue, type ChatAnswer } from './support/chat-client.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { deletePrefix, directClient, redisUrl } from './support/redis.js';
import { startServes, type ServeProcess } from './support/serve-process.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** $1000 / $2000 per million tokens: a 10-token answer alone costs $0.02, so a $0.50 budget fits a couple of dozen calls. */
const price = { input_per_mtok: 1000, output_per_mtok: 2000 };
const outputTokens = 10;
const budgetUsd = 0.5;
const adminKey = `sk-fener-admin-${randomBytes(8).toString('hex')}`;

interface CreatedKey {
  id: string;
  key: string;
}

const degraded = (line: { msg?: string }): boolean => /Redis is unreachable or slow/.test(String(line.msg));
const recovered = (line: { msg?: string }): boolean => /Redis answers again/.test(String(line.msg));

/** A replica's shared-state switches between two log positions: how often it fell back to memory, and where it ended. */
function switches(server: ServeProcess, since = 0, until?: number): { degradations: number; onRedis: boolean } {
  let degradations = 0;
  let onRedis = true;
  server.logs.slice(since, until).forEach((line) => {
    if (degraded(line)) [degradations, onRedis] = [degradations + 1, false];
    if (recovered(line)) onRedis = true;
  });
  return { degradations, onRedis };
}

/** Waits until a replica that fell back to local memory has logged its return to Redis. */
async function backOnRedis(server: ServeProcess, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!switches(server).onRedis) {
    if (Date.now() > deadline) throw new Error(`the replica did not return to Redis within ${timeoutMs} ms`);
    await pause(50);
  }
}

describe('replicas sharing Postgres and Redis', () => {
  let mock: MockProvider;
  let database: TestDatabase;
  let store: Store;
  let dir: string;
  let proxy: TcpProxy;
  let a: ServeProcess;
  let b: ServeProcess;
  let c: ServeProcess;
  let budgetKey: CreatedKey;
  const keyIds: string[] = [];

  async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
    const response = await fetch(`${a.url}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const created = (await response.json()) as CreatedKey;
    keyIds.push(created.id);
    await pause(300); // every replica has seen the keys revision move (polled every 100 ms)
    return created;
  }

  /** The stretch of a replica's log in which it should have stayed on Redis. */
  interface Watch {
    name: string;
    server: ServeProcess;
    from: number;
    to?: number;
  }
  const watching = (...servers: [string, ServeProcess][]): Watch[] =>
    servers.map(([name, server]) => ({ name, server, from: server.logs.length }));
  const fallbacks = (watches: Watch[]): number =>
    watches.reduce((sum, watch) => sum + switches(watch.server, watch.from, watch.to).degradations, 0);
  const fallbackReport = (watches: Watch[]): string =>
    'fallbacks to local memory while Redis was up: ' +
    watches.map((watch) => `${watch.name} ${switches(watch.server, watch.from, watch.to).degradations}`).join(', ');

  /**
   * Runs a test body that needs the replicas on Redis. When it fails after a replica fell back
   * to local memory while Redis was up, the failure says so, because that is the likely cause.
   */
  async function onRedis(_t: TestContext, watches: () => Watch[], body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (fallbacks(watches()) === 0) throw error;
      throw new Error(`${fallbackReport(watches())}; then: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  before(async () => {
    const started = Date.now();
    (await directClient()).disconnect(); // fails at once, with a clear message, when the test Redis is down
    mock = await startMockProvider({ port: 0, seed: 21, outputTokens, latencyMs: 15, ttftMs: 15, tokensPerSecond: 1000 });
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'fener-replicas-'));
    const configPath = join(dir, 'fener.yaml');
    writeFileSync(
      configPath,
      [
        'providers:',
        '  - id: upstream',
        '    type: openai-compatible',
        `    base_url: ${mock.url}/v1`,
        '    api_key_env: UPSTREAM_KEY',
        'models:',
        '  - name: priced',
        '    provider: upstream',
        '    upstream_model: gpt-4o-mini',
        `    price: { input_per_mtok: ${price.input_per_mtok}, output_per_mtok: ${price.output_per_mtok} }`,
        '',
      ].join('\n'),
    );
    const target = new URL(redisUrl);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const proxyPort = await proxy.start(0);
    const env = {
      FENER_CONFIG: configPath,
      FENER_DATA_DIR: dir,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      FENER_ADMIN_KEY: adminKey,
      UPSTREAM_KEY: 'upstream-secret',
    };
    // All replicas start at once on the empty database, as a rollout would start them.
    [a, b, c] = (await startServes([{ env }, { env }, { env: { ...env, REDIS_URL: `redis://127.0.0.1:${proxyPort}` } }])) as [
      ServeProcess,
      ServeProcess,
      ServeProcess,
    ];
    const created = await runCli(
      ['keys', 'create', '--name', 'budgeted', '--budget-usd', String(budgetUsd), '--budget-period', 'day', '--json'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    budgetKey = JSON.parse(created.stdout) as CreatedKey;
    keyIds.push(budgetKey.id);
    store = await openStore({ databaseUrl: database.url, migrate: false });
    process.stdout.write(`# three replicas and a budgeted key ready in ${Date.now() - started} ms\n`);
  });

  after(async () => {
    await Promise.allSettled([a?.stop(), b?.stop(), c?.stop()]);
    await store?.close();
    await proxy?.stop();
    await mock?.close();
    await database?.drop();
    for (const id of keyIds) {
      await deletePrefix(`fener:budget:key:${id}:`);
      await deletePrefix(`fener:rl:key:${id}:`);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the first budgeted calls on cold replicas leave them on Redis', async () => {
    const watches = watching(['A', a], ['B', b]);
    const warm = await createKey({ name: 'warm-up', budget: { usd: 100, period: 'day' } });
    // C takes a share too (it needs the warm-up later), but only A and B are judged: C's Redis
    // traffic runs through the proxy in this busy test process.
    const answers = await inParallel(48, 24, (index) =>
      chat({
        url: (index % 3 === 0 ? a : index % 3 === 1 ? b : c).url,
        key: warm.key,
        model: 'priced',
        content: `warm ${index}`,
        maxTokens: 2,
        stream: index % 4 >= 2,
      }),
    );
    await Promise.all([backOnRedis(a), backOnRedis(b), backOnRedis(c)]);
    assert.equal(statusCounts(answers), '200×48');
    assert.equal(fallbacks(watches), 0, fallbackReport(watches));
  });

  test('a budget hammered through two replicas is never exceeded by more than one call, and every call leaves a trace', async (t) => {
    await Promise.all([backOnRedis(a), backOnRedis(b)]);
    const watches = watching(['A', a], ['B', b]);
    await onRedis(
      t,
      () => watches,
      async () => {
        const started = Date.now();
        const answers = await inParallel(200, 20, (index) =>
          chat({
            url: index % 2 ? b.url : a.url,
            key: budgetKey.key,
            model: 'priced',
            content: `question ${index}`,
            maxTokens: outputTokens,
            stream: index % 4 >= 2,
          }),
        );
        const ok = answers.filter((answer) => answer.status === 200);
        const refused = answers.filter((answer) => answer.status === 429);
        assert.equal(ok.length + refused.length, answers.length, `statuses: ${statusCounts(answers)}`);
        assert.ok(ok.length > 0, 'some calls fit the budget');
        assert.ok(refused.length > 0, 'the budget refused the rest');
        for (const answer of refused) assert.equal(answer.errorType, 'insufficient_quota');
        for (const answer of ok) assert.ok(answer.complete, 'a 200 is a whole answer');
        const admittedBy = new Set(answers.flatMap((answer, index) => (answer.status === 200 ? [index % 2] : [])));
        assert.equal(admittedBy.size, 2, 'both replicas admitted calls');

        // Every call, admitted or refused, leaves exactly one trace; wait until all are written.
        const traces = await settledValue(() => keyTraces(store, budgetKey.id), {
          until: (rows) => rows.length >= answers.length,
          stableForMs: 3000,
        });
        assert.equal(traces.length, answers.length, 'one trace per call');
        const byId = new Map(traces.map((trace) => [trace.id, trace]));
        for (const answer of ok) {
          const trace = byId.get(answer.traceId);
          assert.ok(trace, `the trace of the 200 ${answer.traceId} was written`);
          assert.equal(trace.status, 'ok');
          assert.ok(trace.cost_usd > 0);
        }
        const spent = traces.reduce((sum, trace) => sum + trace.cost_usd, 0);
        const dearest = Math.max(...traces.map((trace) => trace.cost_usd));
        process.stdout.write(
          `# budget: ${ok.length} admitted, ${refused.length} refused, $${spent.toFixed(4)} spent of $${budgetUsd} ` +
            `(dearest call $${dearest.toFixed(4)}) in ${Date.now() - started} ms; ${fallbackReport(watches)}\n`,
        );
        assert.ok(spent <= budgetUsd + dearest + 1e-9, `$${spent} spent on a $${budgetUsd} budget; ${fallbackReport(watches)}`);
        // Refusals must come from the budget being used up, not from a replica refusing early.
        assert.ok(spent >= budgetUsd - 3 * dearest, `only $${spent} of $${budgetUsd} was spent before calls were refused`);
      },
    );
  });

  test('an rpm limit is one window across replicas: exactly 10 of 30 concurrent calls pass', async (t) => {
    await Promise.all([backOnRedis(a), backOnRedis(b)]);
    const watches = watching(['A', a], ['B', b]);
    const limited = await createKey({ name: 'rpm-10', limits: { rpm: 10 } });
    await onRedis(
      t,
      () => watches,
      async () => {
        const answers = await inParallel(30, 30, (index) =>
          chat({ url: index % 2 ? b.url : a.url, key: limited.key, model: 'priced', content: `rpm ${index}`, maxTokens: 2 }),
        );
        const ok = answers.filter((answer) => answer.status === 200);
        const refused = answers.filter((answer) => answer.status === 429);
        assert.equal(ok.length, 10, `statuses: ${statusCounts(answers)}; ${fallbackReport(watches)}`);
        assert.equal(refused.length, 20);
        const remaining = ok.map((answer) => Number(answer.headers.get('x-ratelimit-remaining-requests'))).sort((x, y) => x - y);
        assert.deepEqual(remaining, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'each admitted call took its own place in the shared window');
        for (const answer of ok) assert.equal(answer.headers.get('x-ratelimit-limit-requests'), '10');
        for (const answer of refused) {
          assert.equal(answer.errorCode, 'rate_limit_exceeded');
          const retryAfter = Number(answer.headers.get('retry-after'));
          // Up to two windows: the limit is a sliding window approximated by two fixed ones (src/state/spec.ts).
          assert.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After: ${answer.headers.get('retry-after')}`);
          assert.equal(answer.headers.get('x-ratelimit-limit-requests'), '10');
          assert.equal(answer.headers.get('x-ratelimit-remaining-requests'), '0');
          assert.match(answer.headers.get('x-ratelimit-reset-requests') ?? '', /^\d+(\.\d+)?(ms|s|m)/);
        }
      },
    );
  });

  test('a key revoked through one replica is refused by another within a second', async () => {
    const revoked = await createKey({ name: 'to-revoke' });
    const call = () => chat({ url: b.url, key: revoked.key, model: 'priced', content: 'still here?', maxTokens: 2 });
    assert.equal((await call()).status, 200, 'replica B accepts the key (and now has it cached)');
    const response = await fetch(`${a.url}/api/keys/${revoked.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(response.status, 200, await response.text());
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 3000) {
      status = (await call()).status;
      if (status === 200) await pause(20);
    }
    const took = Date.now() - revokedAt;
    process.stdout.write(`# replica B refused the key ${took} ms after replica A revoked it\n`);
    assert.equal(status, 401);
    assert.ok(took <= 1000, `replica B still accepted the revoked key ${took} ms later`);
  });

  test('Redis cut from a replica: it keeps serving on local limits, logs it, and shares limits again when Redis is back', async (t) => {
    const five = await createKey({ name: 'rpm-5', limits: { rpm: 5 } });
    const busy = await createKey({ name: 'background', limits: { rpm: 100_000 } });
    const call = (server: ServeProcess, key: CreatedKey, content: string) =>
      chat({ url: server.url, key: key.key, model: 'priced', content, maxTokens: 2 }).then((answer) => answer.status);
    await backOnRedis(c);
    // A must stay on Redis throughout; C only before the cut and after its recovery.
    const [onA, beforeCut] = watching(['A', a], ['C before the cut', c]) as [Watch, Watch];
    let afterRecovery: Watch | undefined;

    // Traffic on C throughout, on a key whose limit goes through the shared state: none may fail.
    let flowing = true;
    const background: number[] = [];
    const traffic = inParallel(4, 4, async (lane) => {
      for (let index = 0; flowing; index++) {
        background.push(await call(c, busy, `background ${lane}.${index}`));
        await pause(10);
      }
    });
    await onRedis(
      t,
      () => [onA, beforeCut, ...(afterRecovery ? [afterRecovery] : [])],
      async () => {
        try {
          assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map((index) => call(a, five, `a ${index}`))), [200, 200, 200, 200, 200]);
          assert.equal(await call(c, five, 'c before the cut'), 429, 'C sees the window A filled');

          const cut = c.logs.length;
          beforeCut.to = cut;
          await proxy.stop();
          const warning = await c.waitForLog((line) => c.logs.indexOf(line) >= cut && degraded(line), 5000);
          assert.equal(warning.level, 40, 'the degradation is logged as a warning');
          // C now counts on its own: five more pass there, and the sixth is still limited, locally.
          const local: number[] = [];
          for (let index = 0; index < 6; index++) local.push(await call(c, five, `c during the cut ${index}`));
          assert.deepEqual(local, [200, 200, 200, 200, 200, 429]);
          assert.equal(await call(a, five, 'a during the cut'), 429, 'A, still on Redis, keeps the shared window');

          await proxy.start();
          const back = await c.waitForLog((line) => c.logs.indexOf(line) >= cut && recovered(line), 8000);
          afterRecovery = { name: 'C after its recovery', server: c, from: c.logs.indexOf(back) + 1 };
          assert.equal(await call(c, five, 'c after the cut'), 429, 'C is back on the shared window that A filled');
          await pause(300);
        } finally {
          flowing = false;
          await traffic;
        }
        assert.ok(background.length >= 20, `only ${background.length} background calls ran`);
        assert.deepEqual(
          statusCounts(background.map((status) => ({ status }))),
          `200×${background.length}`,
          'no call failed during the outage',
        );
      },
    );
  });

  test('what a replica spent while cut off from Redis still counts against the budget once Redis is back', async () => {
    const limited = await createKey({ name: 'outage-budget', budget: { usd: 0.2, period: 'day' } });
    const call = (server: ServeProcess, content: string) =>
      chat({ url: server.url, key: limited.key, model: 'priced', content, maxTokens: outputTokens }).then((answer) => answer.status);
    assert.equal(await call(a, 'before the cut'), 200, 'the budget counter now exists in Redis');
    await backOnRedis(c);
    await pause(500); // that call's trace is written, so a local counter would start from it

    const cut = c.logs.length;
    await proxy.stop();
    const local: number[] = [];
    try {
      while (local.length < 20 && local.at(-1) !== 429) local.push(await call(c, `during the cut ${local.length}`));
      assert.ok(c.logs.slice(cut).some(degraded), 'C served the outage from local memory');
    } finally {
      await proxy.start();
    }
    assert.equal(local.at(-1), 429, `C's local budget ran out: ${local.join(',')}`);
    await c.waitForLog((line) => c.logs.indexOf(line) >= cut && recovered(line), 8000);
    await pause(500); // the outage calls' traces are written

    const spent = (await keyTraces(store, limited.id)).reduce((sum, trace) => sum + trace.cost_usd, 0);
    const after = [await call(a, 'a after the cut'), await call(c, 'c after the cut')];
    assert.deepEqual(
      after,
      [429, 429],
      `the traces show $${spent.toFixed(4)} of $0.20 spent, yet the replicas answered ${after.join(', ')}`,
    );
  });
});

type TraceSummary = { id: string; status: string; cost_usd: number };

async function keyTraces(store: Store, keyId: string): Promise<TraceSummary[]> {
  const rows: TraceSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.traces.list({ keyId, limit: 500, ...(cursor ? { cursor } : {}) });
    rows.push(...page.data.map(({ id, status, cost_usd }) => ({ id, status, cost_usd })));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return rows;
}

function statusCounts(answers: Pick<ChatAnswer, 'status'>[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${status}×${count}`).join(', ');
}
