/**
 * The shared-state operations on one ioredis connection, with no fallback: a failure throws.
 * `RedisState` wraps these with the timeout, the degradation to memory and the recovery.
 */
import type { Redis } from 'ioredis';
import { randomToken } from '../core/index.js';
import { breakerMemoryMs, defaultHoldMs, holdId } from './budget-math.js';
import { probeKey } from './memory-state.js';
import {
  breakerFailureScript,
  listPushScript,
  peekScript,
  readBudgetScript,
  reserveScript,
  settleScript,
  windowScript,
  type LuaScript,
} from './redis-scripts.js';
import type {
  BreakerState,
  BudgetState,
  ReserveInput,
  SettleInput,
  SharedState,
  WindowBatchResult,
  WindowInput,
  WindowResult,
} from './spec.js';

/** Every operation of `SharedState`, without its identity and lifecycle. */
export type StateOperations = Omit<SharedState, 'kind' | 'degraded' | 'close'>;

export class RedisOperations implements StateOperations {
  constructor(
    private readonly client: Redis,
    private readonly options: { prefix: string; clock: () => number },
  ) {}

  private key(key: string): string {
    return this.options.prefix + key;
  }

  /** EVALSHA, loading the script on first use (and again after a Redis restart forgot it). */
  private async run(lua: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(lua.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(lua.source, keys.length, ...keys, ...args);
    }
  }

  async consume(input: WindowInput): Promise<WindowResult> {
    const batch = await this.consumeAll([input]);
    return batch.windows[0] as WindowResult;
  }

  async consumeAll(inputs: WindowInput[]): Promise<WindowBatchResult> {
    const args = inputs.flatMap((input) => [input.amount, input.limit, input.windowMs]);
    const reply = strings(
      await this.run(
        windowScript,
        inputs.map((input) => this.key(input.key)),
        [this.options.clock(), 'consume', ...args],
      ),
    );
    return { allowed: reply[0] === '1', windows: windowResults(reply, inputs.length) };
  }

  async record(input: Omit<WindowInput, 'limit'>): Promise<WindowResult> {
    const reply = strings(
      await this.run(windowScript, [this.key(input.key)], [this.options.clock(), 'record', input.amount, 0, input.windowMs]),
    );
    return windowResults(reply, 1)[0] as WindowResult;
  }

  async peek(input: Omit<WindowInput, 'amount' | 'limit'>): Promise<number> {
    return Number(await this.run(peekScript, [this.key(input.key)], [this.options.clock(), input.windowMs]));
  }

  private budgetKeys(key: string): string[] {
    return [this.key(key), this.key(`${key}:holds`)];
  }

  /** Drops a budget's counter and holds, so the next reservation seeds it again from the traces. */
  async forgetBudget(key: string): Promise<void> {
    await this.client.del(...this.budgetKeys(key));
  }

  async reserve(input: ReserveInput): Promise<BudgetState> {
    const hold = holdId(randomToken(), input.amount);
    const args = [
      this.options.clock(),
      input.amount,
      input.limit,
      Math.ceil(input.ttlMs),
      input.initialSpent ?? '',
      hold,
      input.holdMs ?? defaultHoldMs,
    ];
    const [allowed, spent, reserved, missing, id] = strings(await this.run(reserveScript, this.budgetKeys(input.key), args));
    return { ...budgetState([allowed, spent, reserved, missing]), ...(id ? { reservationId: id } : {}) };
  }

  async settle(input: SettleInput): Promise<BudgetState> {
    const args = [this.options.clock(), input.actual, Math.ceil(input.ttlMs), ...input.reservationIds];
    return budgetState(strings(await this.run(settleScript, this.budgetKeys(input.key), args)));
  }

  async readBudget(key: string): Promise<BudgetState> {
    return budgetState(strings(await this.run(readBudgetScript, this.budgetKeys(key), [this.options.clock()])));
  }

  async breakerFailure(input: { key: string; threshold: number; openMs: number }): Promise<BreakerState> {
    const keys = [this.key(input.key), this.key(probeKey(input.key))];
    const args = [this.options.clock(), input.threshold, input.openMs, breakerMemoryMs(input.openMs)];
    const [failures, openUntil] = strings(await this.run(breakerFailureScript, keys, args));
    return { failures: Number(failures), openUntil: Number(openUntil) };
  }

  async breakerSuccess(key: string): Promise<void> {
    await this.client.del(this.key(key), this.key(probeKey(key)));
  }

  async breaker(key: string): Promise<BreakerState> {
    const [failures, openUntil] = await this.client.hmget(this.key(key), 'f', 'o');
    return { failures: Number(failures ?? 0), openUntil: Number(openUntil ?? 0) };
  }

  async breakerTryProbe(input: { key: string; probeMs: number }): Promise<boolean> {
    const reply = await this.client.set(this.key(probeKey(input.key)), '1', 'PX', Math.ceil(input.probeMs), 'NX');
    return reply === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.key(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(this.key(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.client.del(this.key(key));
  }

  async listPush(key: string, value: string, options: { max: number; ttlMs: number }): Promise<void> {
    await this.run(listPushScript, [this.key(key)], [value, options.max, Math.max(1, Math.ceil(options.ttlMs))]);
  }

  async listRange(key: string): Promise<string[]> {
    return this.client.lrange(this.key(key), 0, -1);
  }
}

function strings(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new TypeError(`unexpected script reply: ${String(reply)}`);
  return reply.map(String);
}

function windowResults(reply: string[], count: number): WindowResult[] {
  const results: WindowResult[] = [];
  for (let index = 0; index < count; index++) {
    const base = 1 + index * 4;
    results.push({
      allowed: reply[base] === '1',
      total: Number(reply[base + 1]),
      retryAfterMs: Number(reply[base + 2]),
      resetMs: Number(reply[base + 3]),
    });
  }
  return results;
}

function budgetState(reply: (string | undefined)[]): BudgetState {
  const [allowed, spent, reserved, missing] = reply;
  return { allowed: allowed === '1', spent: Number(spent), reserved: Number(reserved), missing: missing === '1' };
}
