/**
 * One behavioural suite, run against the memory state and against the real Redis: windows,
 * budgets under concurrency, breakers, TTLs. The Redis run fails if Redis is down (it checks it
 * never degraded), so a green run means Redis itself was tested.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { deletePrefix, directClient, redisUrl, uniquePrefix } from '../../test/support/redis.js';
import { createMemoryState, createRedisState, type SharedState } from './index.js';

/** A settable clock, aligned to a minute so window arithmetic is easy to follow. */
class FakeClock {
  now = 28_000_000 * 60_000;
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

interface Backend {
  name: string;
  /** A state; several calls share the same data (separate Redis connections for Redis). */
  open(clock?: () => number): SharedState;
  after(): Promise<void>;
}

function memoryBackend(): Backend {
  const states = new Map<(() => number) | undefined, SharedState>();
  return {
    name: 'memory',
    open(clock) {
      let state = states.get(clock);
      if (!state) {
        state = createMemoryState(clock ? { clock } : {});
        states.set(clock, state);
      }
      return state;
    },
    async after() {
      await Promise.all([...states.values()].map((state) => state.close()));
    },
  };
}

function redisBackend(): Backend {
  const prefix = uniquePrefix('state');
  const opened: SharedState[] = [];
  return {
    name: 'redis',
    open(clock) {
      const state = createRedisState(redisUrl, { keyPrefix: prefix, opTimeoutMs: 2000, ...(clock ? { clock } : {}) });
      opened.push(state);
      return state;
    },
    async after() {
      for (const state of opened) assert.equal(state.degraded, false, 'the Redis state fell back to memory: is Redis up?');
      await Promise.all(opened.map((state) => state.close()));
      await deletePrefix(prefix);
    },
  };
}

const minute = 60_000;

for (const backend of [memoryBackend(), redisBackend()]) {
  describe(`shared state: ${backend.name}`, () => {
    before(async () => {
      if (backend.name === 'redis') (await directClient()).disconnect();
    });
    after(() => backend.after());

    let key = 0;
    const fresh = (label: string): string => `${label}:${++key}`;

    test('a window admits up to its limit, then refuses with the exact wait', async () => {
      const clock = new FakeClock();
      const state = backend.open(clock.read);
      const window = { key: fresh('rpm'), amount: 1, limit: 5, windowMs: minute };
      for (let i = 1; i <= 5; i++) {
        const result = await state.consume(window);
        assert.equal(result.allowed, true);
        assert.equal(result.total, i);
        assert.equal(result.resetMs, 2 * minute);
      }
      const refused = await state.consume(window);
      assert.equal(refused.allowed, false);
      assert.equal(refused.total, 5);
      // In the next minute the 5 count with weight (1 − e/60 s): 5 · (1 − e/60 s) + 1 ≤ 5 at e = 12 s.
      assert.equal(refused.retryAfterMs, minute + 12_000);
      clock.advance(minute + 11_999);
      assert.equal((await state.consume(window)).allowed, false);
      clock.advance(1);
      const admitted = await state.consume(window);
      assert.equal(admitted.allowed, true);
      assert.equal(admitted.total, 5);
    });

    test('the previous minute counts in proportion to its overlap', async () => {
      const clock = new FakeClock();
      const state = backend.open(clock.read);
      const window = { key: fresh('tpm'), windowMs: minute };
      await state.record({ ...window, amount: 1000 });
      clock.advance(minute + minute / 4);
      assert.equal(await state.peek(window), 750);
      const refused = await state.consume({ ...window, amount: 500, limit: 1000 });
      assert.equal(refused.allowed, false);
      // 1000 · (1 − e/60 s) + 500 ≤ 1000 at e = 30 s, 15 s from now.
      assert.equal(refused.retryAfterMs, 15_000);
      clock.advance(2 * minute);
      assert.equal(await state.peek(window), 0);
      assert.equal(await state.peek({ key: fresh('never'), windowMs: minute }), 0);
    });

    test('record takes back over-estimates but never goes below zero', async () => {
      const clock = new FakeClock();
      const state = backend.open(clock.read);
      const window = { key: fresh('tpm'), windowMs: minute };
      await state.record({ ...window, amount: 300 });
      assert.equal((await state.record({ ...window, amount: -100 })).total, 200);
      assert.equal((await state.record({ ...window, amount: -500 })).total, 0);
      await state.record({ ...window, amount: 400 });
      clock.advance(minute);
      // The correction reaches back into the previous minute when the current one is empty.
      assert.equal((await state.record({ ...window, amount: -100 })).total, 300);
    });

    test('consumeAll charges every window or none', async () => {
      const clock = new FakeClock();
      const state = backend.open(clock.read);
      const roomy = { key: fresh('key-rpm'), amount: 1, limit: 100, windowMs: minute };
      const tight = { key: fresh('project-rpm'), amount: 1, limit: 1, windowMs: minute };
      assert.equal((await state.consumeAll([roomy, tight])).allowed, true);
      const refused = await state.consumeAll([roomy, tight]);
      assert.equal(refused.allowed, false);
      assert.deepEqual(
        refused.windows.map((window) => window.allowed),
        [true, false],
      );
      assert.equal(await state.peek(roomy), 1, 'the roomy window was not charged for the refused call');
      assert.deepEqual(await state.consumeAll([]), { allowed: true, windows: [] });
    });

    test('budgets: a missing counter asks to be seeded; reserve, refuse, settle', async () => {
      const state = backend.open();
      const budget = { key: fresh('budget'), limit: 1, ttlMs: minute };
      const missing = await state.reserve({ ...budget, amount: 0.1 });
      assert.deepEqual(missing, { allowed: false, spent: 0, reserved: 0, missing: true });
      assert.equal((await state.readBudget(budget.key)).missing, true, 'asking did not create the counter');
      const first = await state.reserve({ ...budget, amount: 0.3, initialSpent: 0.5 });
      assert.deepEqual(
        { ...first, reservationId: undefined },
        { allowed: true, spent: 0.5, reserved: 0.3, missing: false, reservationId: undefined },
      );
      assert.ok(first.reservationId);
      const ignored = await state.reserve({ ...budget, amount: 0.2, initialSpent: 99 });
      assert.equal(ignored.allowed, true, 'a second seeder does not overwrite the counter');
      assert.equal(ignored.spent, 0.5);
      const refused = await state.reserve({ ...budget, amount: 0.01 });
      assert.equal(refused.allowed, false);
      assert.equal(refused.reservationId, undefined);
      const settled = await state.settle({ key: budget.key, reservationIds: [first.reservationId!], actual: 0.25, ttlMs: minute });
      assert.equal(settled.spent, 0.75);
      assert.ok(Math.abs(settled.reserved - 0.2) < 1e-12);
      const again = await state.settle({ key: budget.key, reservationIds: [first.reservationId!], actual: 0, ttlMs: minute });
      assert.ok(Math.abs(again.reserved - 0.2) < 1e-12, 'a hold is released once');
      assert.equal((await state.settle({ key: fresh('gone'), reservationIds: [], actual: 1, ttlMs: minute })).missing, true);
    });

    test('budgets: holds that are never settled expire and free their amount', async () => {
      const clock = new FakeClock();
      const state = backend.open(clock.read);
      const budget = { key: fresh('budget'), limit: 1, ttlMs: 60 * minute };
      const leaked = await state.reserve({ ...budget, amount: 0.6, initialSpent: 0, holdMs: minute });
      const kept = await state.reserve({ ...budget, amount: 0.3, holdMs: 10 * minute });
      assert.equal((await state.reserve({ ...budget, amount: 0.2 })).allowed, false);
      clock.advance(minute);
      assert.ok(Math.abs((await state.readBudget(budget.key)).reserved - 0.3) < 1e-12, 'the leaked hold expired');
      assert.equal((await state.reserve({ ...budget, amount: 0.2, holdMs: minute })).allowed, true);
      const late = await state.settle({
        key: budget.key,
        reservationIds: [leaked.reservationId!, kept.reservationId!],
        actual: 0.5,
        ttlMs: minute,
      });
      assert.equal(late.spent, 0.5);
      assert.ok(Math.abs(late.reserved - 0.2) < 1e-12, 'an expired hold is not released twice');
    });

    test('budgets: 200 concurrent callers on 4 connections never overspend', async () => {
      const states = [0, 1, 2, 3].map(() => backend.open());
      const budget = { key: fresh('budget'), limit: 2, ttlMs: minute };
      const estimate = 0.01;
      await states[0]!.reserve({ ...budget, amount: 0, initialSpent: 0 });
      let admitted = 0;
      const worker = async (state: SharedState): Promise<void> => {
        for (;;) {
          const reservation = await state.reserve({ ...budget, amount: estimate });
          if (!reservation.allowed) return;
          admitted++;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          const actual = estimate * (0.5 + Math.random() / 2);
          await state.settle({ key: budget.key, reservationIds: [reservation.reservationId!], actual, ttlMs: minute });
        }
      };
      await Promise.all(Array.from({ length: 200 }, (_, index) => worker(states[index % 4]!)));
      const final = await states[1]!.readBudget(budget.key);
      assert.ok(final.spent <= budget.limit + 1e-9, `spent ${final.spent} > limit`);
      assert.ok(final.spent > budget.limit - estimate, `spent ${final.spent}: the budget was not used up`);
      assert.ok(Math.abs(final.reserved) < 1e-9, `reservations left behind: ${final.reserved}`);
      assert.ok(admitted > 200, `only ${admitted} calls were admitted`);
    });

    test('breaker: opens at the threshold, one prober wins, a failed probe re-opens', async () => {
      const clock = new FakeClock();
      const states = [0, 1, 2, 3].map(() => backend.open(clock.read));
      const [state] = states as [SharedState];
      const breaker = { key: fresh('breaker'), threshold: 3, openMs: 30_000 };
      assert.deepEqual(await state.breakerFailure(breaker), { failures: 1, openUntil: 0 });
      assert.deepEqual(await state.breakerFailure(breaker), { failures: 2, openUntil: 0 });
      const opened = await state.breakerFailure(breaker);
      assert.equal(opened.openUntil, clock.now + 30_000);
      clock.advance(10_000);
      assert.equal((await state.breakerFailure(breaker)).openUntil, opened.openUntil, 'a late failure does not extend the open spell');
      clock.advance(20_000);
      const probes = await Promise.all(
        Array.from({ length: 40 }, (_, index) => states[index % 4]!.breakerTryProbe({ key: breaker.key, probeMs: 5000 })),
      );
      assert.equal(probes.filter(Boolean).length, 1);
      const reopened = await state.breakerFailure(breaker);
      assert.equal(reopened.openUntil, clock.now + 30_000);
      clock.advance(30_000);
      assert.equal(await state.breakerTryProbe({ key: breaker.key, probeMs: 5000 }), true, 're-opening cleared the old probe');
      await state.breakerSuccess(breaker.key);
      assert.deepEqual(await state.breaker(breaker.key), { failures: 0, openUntil: 0 });
    });

    test('values and lists expire; lists keep the newest entries, newest first', async () => {
      const state = backend.open();
      const value = fresh('value');
      const list = fresh('list');
      await state.set(value, 'cached', 150);
      for (const entry of ['a', 'b', 'c', 'd', 'e']) await state.listPush(list, entry, { max: 3, ttlMs: 150 });
      assert.equal(await state.get(value), 'cached');
      assert.deepEqual(await state.listRange(list), ['e', 'd', 'c']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await state.get(value), undefined);
      assert.deepEqual(await state.listRange(list), []);
      await state.set(value, 'again', minute);
      await state.delete(value);
      assert.equal(await state.get(value), undefined);
    });
  });
}

describe('shared state: redis specifics', () => {
  const prefix = uniquePrefix('state-redis');
  const states: SharedState[] = [];
  afterEach(async () => {
    await Promise.all(states.splice(0).map((state) => state.close()));
  });
  after(() => deletePrefix(prefix));

  test('keys carry the prefix, and every key written gets a TTL in Redis itself', async () => {
    const state = createRedisState(redisUrl, { keyPrefix: prefix });
    states.push(state);
    await state.consume({ key: 'rl:x', amount: 1, limit: 5, windowMs: 10_000 });
    await state.reserve({ key: 'budget:x', amount: 1, limit: 5, ttlMs: 30_000, initialSpent: 0 });
    await state.breakerFailure({ key: 'breaker:x', threshold: 1, openMs: 40_000 });
    await state.breakerTryProbe({ key: 'breaker:x', probeMs: 5_000 });
    await state.listPush('list:x', 'a', { max: 2, ttlMs: 50_000 });
    const client = await directClient();
    try {
      const ttls = await Promise.all(
        ['rl:x', 'budget:x', 'breaker:x', 'breaker:x:probe', 'list:x'].map((key) => client.pttl(prefix + key)),
      );
      const [window, budget, breaker, probe, list] = ttls as [number, number, number, number, number];
      assert.ok(window > 10_000 && window <= 20_000, `window ttl ${window}`);
      assert.ok(budget > 20_000 && budget <= 30_000, `budget ttl ${budget}`);
      assert.ok(breaker > 70_000 && breaker <= 80_000, `breaker ttl ${breaker}`);
      assert.ok(probe > 0 && probe <= 5_000, `probe ttl ${probe}`);
      assert.ok(list > 40_000 && list <= 50_000, `list ttl ${list}`);
    } finally {
      client.disconnect();
    }
  });

  test('a reply that signals a bug is thrown, not hidden behind the fallback', async () => {
    const state = createRedisState(redisUrl, { keyPrefix: prefix });
    states.push(state);
    await state.set('not-a-window', 'text', 10_000);
    await assert.rejects(state.consume({ key: 'not-a-window', amount: 1, limit: 1, windowMs: 1000 }), /WRONGTYPE/);
    assert.equal(state.degraded, false);
  });
});
