import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FenerError } from '../../core/index.js';
import type { ChatResult, Provider } from '../../providers/index.js';
import { createMemoryState } from '../../state/index.js';
import type { ResolvedModel } from '../model-catalog.js';
import type { Route, RoutePolicy } from './route-table.js';
import { Router } from './router.js';
import { orderTargets, type Target } from './strategies.js';
import { TargetStats } from './target-stats.js';

/** A scripted upstream: each call takes the next outcome (an error to throw, or a delay then success). */
function scripted(id: string, outcomes: (FenerError | number)[]): Provider & { calls: number } {
  const provider = {
    id,
    type: 'openai-compatible' as const,
    calls: 0,
    async chat(): Promise<ChatResult> {
      const outcome = outcomes[Math.min(provider.calls, outcomes.length - 1)];
      provider.calls++;
      if (outcome instanceof FenerError) throw outcome;
      await new Promise((resolve) => setTimeout(resolve, outcome ?? 0));
      return { id, model: id, created: 0, message: { role: 'assistant', content: id }, finish_reason: 'stop' };
    },
    chatStream(): AsyncIterable<never> {
      throw new Error('not used');
    },
    async embed(): Promise<never> {
      throw new Error('not used');
    },
    async close() {},
  };
  return provider;
}

function model(name: string, provider: Provider, extra: Partial<ResolvedModel> = {}): ResolvedModel {
  return {
    name,
    providerId: provider.id,
    provider,
    upstreamModel: name,
    price: { input_per_mtok: 1, output_per_mtok: 1 },
    tasks: ['chat'],
    source: 'config',
    ...extra,
  };
}

const policy = (overrides: Partial<RoutePolicy> = {}): RoutePolicy => ({
  strategy: 'fallback',
  retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 50 },
  fallbackOn: new Set([429, 500, 502, 503, 504, 'timeout', 'connection', 'context_length', 'malformed']),
  breaker: { threshold: 3, openMs: 200 },
  ...overrides,
});

const unavailable = (): FenerError => new FenerError('upstream_unavailable', 'down', { upstreamStatus: 503 });
const badRequest = (): FenerError => new FenerError('invalid_request', 'bad', { upstreamStatus: 400 });

function setup(targets: Target[], overrides: Partial<RoutePolicy> = {}): { router: Router; route: Route; stats: TargetStats } {
  const stats = new TargetStats();
  return { router: new Router({ state: createMemoryState(), stats }), route: { name: 'group', targets, policy: policy(overrides) }, stats };
}

const call = (router: Router, route: Route, extra: { inputTokens?: number; signal?: AbortSignal } = {}) =>
  router.run(
    route,
    { inputTokens: () => extra.inputTokens ?? 10, ...(extra.signal ? { signal: extra.signal } : {}) },
    ({ target, signal }) => target.model.provider.chat({ model: target.model.upstreamModel, messages: [] }, { signal }),
  );

describe('router', () => {
  test('falls back to the next target on 503 after retrying once', async () => {
    const primary = scripted('primary', [unavailable()]);
    const backup = scripted('backup', [0]);
    const { router, route } = setup([
      { model: model('a', primary), weight: 1 },
      { model: model('b', backup), weight: 1 },
    ]);
    const result = await call(router, route);
    assert.equal(result.value.id, 'backup');
    assert.equal(result.attempts, 3);
    assert.equal(primary.calls, 2);
  });

  test('a retry on the same target succeeds without falling back', async () => {
    const flaky = scripted('flaky', [new FenerError('rate_limited', 'slow down', { upstreamStatus: 429, retryAfterSeconds: 0 }), 0]);
    const backup = scripted('backup', [0]);
    const { router, route } = setup([
      { model: model('a', flaky), weight: 1 },
      { model: model('b', backup), weight: 1 },
    ]);
    const result = await call(router, route);
    assert.equal(result.value.id, 'flaky');
    assert.equal(backup.calls, 0);
  });

  test('a Retry-After longer than the backoff cap moves on at once', async () => {
    const limited = scripted('limited', [new FenerError('rate_limited', 'wait', { upstreamStatus: 429, retryAfterSeconds: 30 })]);
    const backup = scripted('backup', [0]);
    const { router, route } = setup([
      { model: model('a', limited), weight: 1 },
      { model: model('b', backup), weight: 1 },
    ]);
    assert.equal((await call(router, route)).value.id, 'backup');
    assert.equal(limited.calls, 1);
  });

  test('a client error is not retried and not fallen back from', async () => {
    const primary = scripted('primary', [badRequest()]);
    const backup = scripted('backup', [0]);
    const { router, route } = setup([
      { model: model('a', primary), weight: 1 },
      { model: model('b', backup), weight: 1 },
    ]);
    await assert.rejects(call(router, route), (error: unknown) => error instanceof FenerError && error.code === 'invalid_request');
    assert.equal(primary.calls, 1);
    assert.equal(backup.calls, 0);
  });

  test('when every target fails, the error says why for each', async () => {
    const { router, route } = setup([
      { model: model('a', scripted('a', [unavailable()])), weight: 1 },
      { model: model('b', scripted('b', [unavailable()])), weight: 1 },
    ]);
    await assert.rejects(call(router, route), (error: unknown) => {
      assert.ok(error instanceof FenerError);
      assert.equal(error.code, 'upstream_unavailable');
      assert.match(error.message, /a: down; b: down/);
      return true;
    });
  });

  test('the circuit opens after repeated failures, then lets one probe through', async () => {
    const primary = scripted('primary', [unavailable(), unavailable(), unavailable(), 0]);
    const backup = scripted('backup', [0]);
    const { router, route } = setup(
      [
        { model: model('a', primary), weight: 1 },
        { model: model('b', backup), weight: 1 },
      ],
      {
        retries: { attempts: 0, baseDelayMs: 1, maxDelayMs: 10 },
      },
    );
    for (let i = 0; i < 3; i++) await call(router, route);
    assert.equal(primary.calls, 3);
    await call(router, route);
    assert.equal(primary.calls, 3, 'open circuit: primary skipped');
    await new Promise((resolve) => setTimeout(resolve, 220));
    const probed = await call(router, route);
    assert.equal(probed.value.id, 'primary', 'after open_ms one probe goes through and succeeds');
    assert.equal((await call(router, route)).value.id, 'primary', 'closed again');
  });

  test('a target whose context window is too small is skipped; alone, it is a 400', async () => {
    const small = scripted('small', [0]);
    const large = scripted('large', [0]);
    const { router, route } = setup([
      { model: model('small', small, { contextWindow: 100 }), weight: 1 },
      { model: model('large', large, { contextWindow: 100_000 }), weight: 1 },
    ]);
    assert.equal((await call(router, route, { inputTokens: 500 })).value.id, 'large');
    assert.equal(small.calls, 0);
    const alone = setup([{ model: model('small', small, { contextWindow: 100 }), weight: 1 }]);
    await assert.rejects(
      call(alone.router, alone.route, { inputTokens: 500 }),
      (error: unknown) => error instanceof FenerError && error.code === 'context_length_exceeded',
    );
  });

  test('a per-target timeout falls back', async () => {
    const slow = scripted('slow', [200]);
    const fast = scripted('fast', [0]);
    const { router, route } = setup(
      [
        { model: model('slow', slow), weight: 1, timeoutMs: 30 },
        { model: model('fast', fast), weight: 1 },
      ],
      { retries: { attempts: 0, baseDelayMs: 1, maxDelayMs: 10 } },
    );
    const started = Date.now();
    assert.equal((await call(router, route)).value.id, 'fast');
    assert.ok(Date.now() - started < 150);
  });

  test('clients that leave do not count against the target’s circuit', async () => {
    const slow = scripted('slow', [100]);
    const backup = scripted('backup', [0]);
    const { router, route } = setup([
      { model: model('a', slow), weight: 1 },
      { model: model('b', backup), weight: 1 },
    ]);
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('client left')), 10);
      await assert.rejects(call(router, route, { signal: controller.signal }), /client left/);
    }
    assert.equal((await call(router, route)).value.id, 'slow', 'the circuit of the slow target is still closed');
    assert.equal(backup.calls, 0);
  });

  test('a client that leaves stops the routing', async () => {
    const controller = new AbortController();
    // Retry-After 0.4 s puts the backoff at 400–500 ms whatever the jitter draws, so the client
    // surely leaves during it (full jitter alone could draw a wait shorter than 20 ms).
    const busy = new FenerError('upstream_unavailable', 'down', { upstreamStatus: 503, retryAfterSeconds: 0.4 });
    const slow = scripted('slow', [busy]);
    const { router, route } = setup([{ model: model('a', slow), weight: 1 }], {
      retries: { attempts: 5, baseDelayMs: 500, maxDelayMs: 500 },
    });
    setTimeout(() => controller.abort(new Error('client left')), 20);
    await assert.rejects(call(router, route, { signal: controller.signal }), /client left/);
    assert.equal(slow.calls, 1);
  });
});

describe('strategies', () => {
  const provider = scripted('p', [0]);
  const targets: Target[] = [
    { model: model('a', provider, { price: { input_per_mtok: 5, output_per_mtok: 5 } }), weight: 3 },
    { model: model('b', provider, { price: { input_per_mtok: 1, output_per_mtok: 1 } }), weight: 1 },
  ];

  test('weighted draws follow the weights', () => {
    const stats = new TargetStats();
    let first = 0;
    for (let i = 0; i < 4000; i++) if (orderTargets('weighted', targets, { stats })[0]?.model.name === 'a') first++;
    assert.ok(first / 4000 > 0.7 && first / 4000 < 0.8, String(first / 4000));
  });

  test('lowest-cost, least-latency and least-busy order by their measure', () => {
    const stats = new TargetStats();
    assert.equal(orderTargets('lowest-cost', targets, { stats })[0]?.model.name, 'b');
    stats.started('a');
    stats.finished('a', 50);
    stats.started('b');
    stats.finished('b', 10);
    assert.equal(orderTargets('least-latency', targets, { stats })[0]?.model.name, 'b');
    stats.started('b');
    assert.equal(orderTargets('least-busy', targets, { stats })[0]?.model.name, 'a');
    assert.deepEqual(
      orderTargets('fallback', targets, { stats }).map((target) => target.model.name),
      ['a', 'b'],
    );
  });
});
