/** Rate limits and budgets over the memory state and over the real Redis, with injected clocks. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { deletePrefix, directClient, redisUrl, uniquePrefix } from '../../../test/support/redis.js';
import { FenerError, toOpenAIErrorBody } from '../../core/index.js';
import { createMemoryState, createRedisState, type SharedState } from '../../state/index.js';
import { Limits, type LimitsOptions } from './index.js';

class FakeClock {
  /** A UTC midnight that is also a minute boundary. */
  now = Date.UTC(2026, 10, 5);
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

interface Backend {
  name: string;
  state(clock: FakeClock): SharedState;
  close(): Promise<void>;
}

const backends: Backend[] = [
  (() => {
    const states: SharedState[] = [];
    return {
      name: 'memory',
      state: (clock: FakeClock) => {
        const state = createMemoryState({ clock: clock.read });
        states.push(state);
        return state;
      },
      close: async () => void (await Promise.all(states.map((state) => state.close()))),
    };
  })(),
  (() => {
    const prefix = uniquePrefix('limits');
    const states: SharedState[] = [];
    return {
      name: 'redis',
      state: (clock: FakeClock) => {
        const state = createRedisState(redisUrl, { keyPrefix: prefix, clock: clock.read, opTimeoutMs: 2000 });
        states.push(state);
        return state;
      },
      close: async () => {
        (await directClient()).disconnect();
        for (const state of states) assert.equal(state.degraded, false, 'the Redis state fell back to memory: is Redis up?');
        await Promise.all(states.map((state) => state.close()));
        await deletePrefix(prefix);
      },
    };
  })(),
];

let unique = 0;
const principal = (projectId: string | null = `prj_${++unique}`) => ({ id: `key_${++unique}`, projectId });
const model = (limits?: { rpm?: number; tpm?: number }) => ({ name: `model-${++unique}`, ...(limits ? { limits } : {}) });

function isRateLimited(error: unknown): error is FenerError {
  return error instanceof FenerError && error.code === 'rate_limited';
}

for (const backend of backends) {
  describe(`limits: ${backend.name}`, () => {
    after(() => backend.close());

    const setup = (options: Partial<LimitsOptions> = {}) => {
      const clock = new FakeClock();
      const state = backend.state(clock);
      return { clock, state, limits: new Limits({ state, clock: clock.read, ...options }) };
    };

    test('admitted calls carry OpenAI-style headers of the tightest limits', async () => {
      const { limits } = setup();
      const ticket = await limits.admit({
        principal: principal(),
        keyLimits: { rpm: 3, tpm: 5000 },
        projectLimits: { rpm: 10 },
        model: model({ tpm: 1000 }),
        estimatedInputTokens: 100,
      });
      assert.deepEqual(ticket.headers, {
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '2',
        'x-ratelimit-reset-requests': '2m0s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '900',
        'x-ratelimit-reset-tokens': '2m0s',
      });
      const unlimited = await limits.admit({ principal: principal(), model: model(), estimatedInputTokens: 10 });
      assert.deepEqual(unlimited.headers, {});
    });

    test('over the key RPM: 429 with Retry-After and the headers, and the refused call is charged nowhere', async () => {
      const { limits, state } = setup();
      const caller = principal();
      const input = { principal: caller, keyLimits: { rpm: 3 }, projectLimits: { rpm: 100 }, model: model(), estimatedInputTokens: 1 };
      for (let i = 0; i < 3; i++) await limits.admit(input);
      const error = await limits.admit(input).then(
        () => assert.fail('the fourth call was admitted'),
        (thrown: unknown) => thrown,
      );
      assert.ok(isRateLimited(error));
      assert.equal(error.status, 429);
      // Next minute: 3 · (1 − e/60 s) + 1 ≤ 3 at e = 20 s, so 80 s from the start of this minute.
      assert.equal(error.retryAfterSeconds, 80);
      assert.equal(error.headers?.['retry-after-ms'], '80000');
      assert.equal(error.headers?.['x-ratelimit-remaining-requests'], '0');
      assert.equal(error.headers?.['x-ratelimit-limit-requests'], '3');
      assert.match(error.message, new RegExp(`key ${caller.id} on requests per min \\(RPM\\): Limit 3, Used 3`));
      assert.equal(toOpenAIErrorBody(error).error.code, 'rate_limit_exceeded');
      assert.equal(await state.peek({ key: `rl:project:${caller.projectId}:rpm`, windowMs: 60_000 }), 3);
    });

    test('a project window is shared by its keys, a model window by everyone', async () => {
      const { limits, clock } = setup();
      const project = `prj_${++unique}`;
      const shared = model({ rpm: 3 });
      const [first, second] = [principal(project), principal(project)];
      await limits.admit({ principal: first, projectLimits: { rpm: 2 }, model: model(), estimatedInputTokens: 1 });
      await limits.admit({ principal: second, projectLimits: { rpm: 2 }, model: model(), estimatedInputTokens: 1 });
      await assert.rejects(
        limits.admit({ principal: first, projectLimits: { rpm: 2 }, model: model(), estimatedInputTokens: 1 }),
        /project prj_/,
      );
      for (let i = 0; i < 3; i++) await limits.admit({ principal: principal(), model: shared, estimatedInputTokens: 1 });
      await assert.rejects(limits.admit({ principal: principal(), model: shared, estimatedInputTokens: 1 }), /model model-/);
      clock.advance(120_000);
      await limits.admit({ principal: principal(), model: shared, estimatedInputTokens: 1 });
    });

    test('TPM: the estimate is charged at admission and replaced by the actual tokens', async () => {
      const { limits, state } = setup();
      const caller = principal();
      const input = { principal: caller, keyLimits: { tpm: 1000 }, model: model(), estimatedInputTokens: 400 };
      const ticket = await limits.admit(input);
      await limits.admit(input);
      await assert.rejects(limits.admit(input), isRateLimited);
      await limits.recordTokens(ticket, 150);
      await limits.recordTokens(ticket, 150);
      assert.equal(await state.peek({ key: `rl:key:${caller.id}:tpm`, windowMs: 60_000 }), 550, 'corrected once');
      await limits.admit(input);
      const tooLarge = await limits.admit({ ...input, estimatedInputTokens: 1001 }).catch((error: unknown) => error);
      assert.ok(isRateLimited(tooLarge));
      assert.equal(tooLarge.retryable, false);
      assert.match(tooLarge.message, /Request too large/);
    });

    test('budgets: reserve on key and project, refuse naming the budget, release what was held', async () => {
      const { limits, state } = setup();
      const caller = principal();
      const keyBudget = { usd: 1, period: 'day' as const };
      const projectBudget = { usd: 0.5, period: 'month' as const };
      const held = await limits.reserveBudget({ principal: caller, keyBudget, projectBudget, estimatedCostUsd: 0.3 });
      const error = await limits
        .reserveBudget({ principal: caller, keyBudget, projectBudget, estimatedCostUsd: 0.3 })
        .catch((thrown: unknown) => thrown);
      assert.ok(error instanceof FenerError && error.code === 'budget_exceeded');
      assert.equal(error.status, 429);
      assert.equal(toOpenAIErrorBody(error).error.type, 'insufficient_quota');
      assert.match(error.message, new RegExp(`project ${caller.projectId}'s monthly budget \\(UTC month 2026-11\\) of \\$0.50`));
      const keyCounter = await state.readBudget(`budget:key:${caller.id}:day:2026-11-05`);
      assert.ok(Math.abs(keyCounter.reserved - 0.3) < 1e-9, 'the key hold of the refused call was released');
      await limits.settle(held, 0.1);
      await limits.settle(held, 0.1);
      const settled = await state.readBudget(`budget:key:${caller.id}:day:2026-11-05`);
      assert.deepEqual([Number(settled.spent.toFixed(9)), Number(settled.reserved.toFixed(9))], [0.1, 0], 'settled once');
    });

    test('budgets: a new counter starts from the traced spend of its period, and days roll at UTC midnight', async () => {
      const queries: { keyId?: string; projectId?: string; since: number }[] = [];
      const { limits, clock } = setup({
        spend: async (query) => {
          queries.push(query);
          return 0.9;
        },
      });
      const caller = principal(null);
      const keyBudget = { usd: 1, period: 'day' as const };
      clock.advance(24 * 60 * 60_000 - 1); // 23:59:59.999
      await limits.reserveBudget({ principal: caller, keyBudget, estimatedCostUsd: 0.05 });
      await assert.rejects(
        limits.reserveBudget({ principal: caller, keyBudget, estimatedCostUsd: 0.06 }),
        /daily budget \(UTC day 2026-11-05\)/,
      );
      assert.deepEqual(queries, [{ keyId: caller.id, since: Date.UTC(2026, 10, 5) }], 'the traces are read once per counter');
      clock.advance(1);
      await limits.reserveBudget({ principal: caller, keyBudget, estimatedCostUsd: 0.06 });
      assert.deepEqual(queries.at(-1), { keyId: caller.id, since: Date.UTC(2026, 10, 6) });
    });

    test('budgets: when the spend cannot be read, the call is refused rather than started from zero', async () => {
      const { limits } = setup({ spend: () => Promise.reject(new Error('database is down')) });
      const error = await limits
        .reserveBudget({ principal: principal(), keyBudget: { usd: 1, period: 'month' }, estimatedCostUsd: 0.1 })
        .catch((thrown: unknown) => thrown);
      assert.ok(error instanceof FenerError && error.code === 'unavailable' && error.retryable);
    });

    test('budgets: months roll at the UTC month boundary; a total budget never does', async () => {
      const { limits, clock } = setup();
      const caller = principal();
      const monthly = { keyBudget: { usd: 1, period: 'month' as const } };
      const total = { projectBudget: { usd: 2, period: 'total' as const } };
      clock.now = Date.UTC(2026, 10, 30, 23, 59, 59);
      await limits.settle(await limits.reserveBudget({ principal: caller, ...monthly, ...total, estimatedCostUsd: 1 }), 1);
      await assert.rejects(
        limits.reserveBudget({ principal: caller, ...monthly, estimatedCostUsd: 0.5 }),
        /monthly budget \(UTC month 2026-11\)/,
      );
      clock.advance(1000);
      await limits.settle(await limits.reserveBudget({ principal: caller, ...monthly, ...total, estimatedCostUsd: 1 }), 1);
      await assert.rejects(limits.reserveBudget({ principal: caller, ...total, estimatedCostUsd: 0.01 }), /total budget of \$2.00/);
    });

    test('streams: free within the reservation, topped up past it, stopped at the limit', async () => {
      const { limits, state } = setup();
      const caller = principal(null);
      const keyBudget = { usd: 1, period: 'total' as const };
      const reservation = await limits.reserveBudget({ principal: caller, keyBudget, estimatedCostUsd: 0.2 });
      let running = 0;
      const chunk = 0.01;
      while (await limits.checkRunning(reservation, running + chunk)) running += chunk;
      await limits.settle(reservation, running);
      const counter = await state.readBudget(`budget:key:${caller.id}:total`);
      assert.ok(counter.spent <= 1 + 1e-9 && counter.spent > 1 - 2 * chunk, `spent ${counter.spent}`);
      assert.ok(Math.abs(counter.reserved) < 1e-9);
    });
  });
}
