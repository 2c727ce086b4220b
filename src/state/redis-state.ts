/**
 * Shared state in Redis, degrading to local memory when Redis cannot answer in time.
 *
 * Availability comes first on the request path: an operation that fails to reach Redis, or takes
 * longer than `opTimeoutMs`, is answered from an in-process memory state instead, the switch is
 * logged once, and a background probe pings Redis every `probeIntervalMs` until it answers, when
 * the state logs the recovery and goes back. While degraded, limits and budgets hold per process
 * only. Callers never see a connection error; a Redis reply that signals a bug (a script error,
 * a wrong type) is still thrown.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createMemoryState, type MemoryState } from './memory-state.js';
import { RedisOperations, type StateOperations } from './redis-operations.js';
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

/** The part of a pino logger the state writes to. */
export type StateLogger = Pick<Logger, 'warn' | 'info' | 'debug'>;

export interface RedisStateOptions {
  /** Where the degradation and the recovery are reported (nothing is logged without one). */
  logger?: StateLogger;
  /** Longest wait for one operation before it is answered from memory (default 100 ms). */
  opTimeoutMs?: number;
  /** How often a degraded state checks whether Redis answers again (default 1 s). */
  probeIntervalMs?: number;
  /** Prepended to every key, so that several deployments (or test runs) can share one Redis (default `fener:`). */
  keyPrefix?: string;
  /** Epoch ms, for windows and breakers; injected by tests. */
  clock?: () => number;
}

const silentLogger: StateLogger = { warn: () => undefined, info: () => undefined, debug: () => undefined };

/** Replies that mean "Redis cannot serve right now" rather than "this call is wrong". */
const unavailableReplies = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|OOM|MISCONF)\b/;

class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error.name !== 'ReplyError') return true; // timeouts, resets, "stream isn't writeable"…
  return unavailableReplies.test(error.message);
}

/** Settles with `promise`, or rejects after `ms`; a late rejection of `promise` is swallowed. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class RedisState implements SharedState {
  readonly kind = 'redis' as const;

  private readonly client: Redis;
  private readonly operations: RedisOperations;
  private readonly logger: StateLogger;
  private readonly opTimeoutMs: number;
  private readonly probeIntervalMs: number;
  private readonly clock: () => number;
  private fallback: MemoryState | undefined;
  private prober: NodeJS.Timeout | undefined;
  /** Budgets charged on the local fallback: their Redis counters no longer know all the spend. */
  private readonly budgetsChargedLocally = new Set<string>();
  private ready: Promise<void> | undefined;
  private probing = false;
  private closed = false;

  constructor(url: string, options: RedisStateOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    // Generous on purpose: the timer also counts this process's own event-loop lag, and a busy
    // gateway must not mistake itself for a slow Redis and stop sharing its budgets.
    this.opTimeoutMs = options.opTimeoutMs ?? 1000;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.clock = options.clock ?? Date.now;
    this.client = new Redis(url, {
      // Commands never queue while disconnected: they fail at once and are served from memory,
      // so an outage cannot pile up requests (or replay stale reservations on reconnect).
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.opTimeoutMs,
      connectTimeout: Math.max(1000, this.opTimeoutMs),
      // Batches the commands of one tick into one write: many concurrent requests, few syscalls.
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 100, this.probeIntervalMs),
    });
    this.client.on('error', (error: Error) => this.logger.debug({ err: error }, 'redis connection error'));
    this.operations = new RedisOperations(this.client, { prefix: options.keyPrefix ?? 'fener:', clock: this.clock });
  }

  get degraded(): boolean {
    return this.fallback !== undefined;
  }

  /** One shared wait (and one listener) however many operations arrive while connecting. */
  private whenReady(): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    this.ready ??= new Promise((resolve) =>
      this.client.once('ready', () => {
        this.ready = undefined;
        resolve();
      }),
    );
    return this.ready;
  }

  private async run<T>(call: (target: StateOperations) => Promise<T>): Promise<T> {
    if (this.fallback) return call(this.fallback);
    try {
      return await withDeadline(
        this.whenReady().then(() => call(this.operations)),
        this.opTimeoutMs,
      );
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      return call(this.degrade(error));
    }
  }

  /** Switches to a fresh memory state (a stale one could hold counters from an earlier outage). */
  private degrade(reason: unknown): MemoryState {
    if (this.fallback) return this.fallback;
    this.fallback = createMemoryState({ clock: this.clock });
    this.logger.warn(
      { err: reason },
      'shared state: Redis is unreachable or slow; serving limits, budgets and breakers from local memory until it answers',
    );
    if (!this.closed) {
      this.prober = setInterval(() => void this.probe(), this.probeIntervalMs);
      this.prober.unref();
    }
    return this.fallback;
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed || this.client.status !== 'ready') return;
    this.probing = true;
    try {
      await withDeadline(this.client.ping(), this.opTimeoutMs);
      this.recover();
    } catch (error) {
      this.logger.debug({ err: error }, 'shared state: Redis probe failed');
    } finally {
      this.probing = false;
    }
  }

  private recover(): void {
    if (this.prober) clearInterval(this.prober);
    this.prober = undefined;
    const fallback = this.fallback;
    this.fallback = undefined;
    void fallback?.close();
    // Spend settled locally never reached Redis: drop those counters so that they are seeded
    // again from the traces, which hold every call's cost (written within a flush interval).
    const stale = [...this.budgetsChargedLocally];
    this.budgetsChargedLocally.clear();
    for (const key of stale) {
      this.operations
        .forgetBudget(key)
        .catch((error: unknown) => this.logger.warn({ err: error, key }, 'shared state: could not reset a budget after an outage'));
    }
    this.logger.info('shared state: Redis answers again; limits, budgets and breakers are shared again');
  }

  consume(input: WindowInput): Promise<WindowResult> {
    return this.run((target) => target.consume(input));
  }

  consumeAll(inputs: WindowInput[]): Promise<WindowBatchResult> {
    if (inputs.length === 0) return Promise.resolve({ allowed: true, windows: [] });
    return this.run((target) => target.consumeAll(inputs));
  }

  record(input: Omit<WindowInput, 'limit'>): Promise<WindowResult> {
    return this.run((target) => target.record(input));
  }

  peek(input: Omit<WindowInput, 'amount' | 'limit'>): Promise<number> {
    return this.run((target) => target.peek(input));
  }

  reserve(input: ReserveInput): Promise<BudgetState> {
    return this.run((target) => {
      if (target === this.fallback) this.budgetsChargedLocally.add(input.key);
      return target.reserve(input);
    });
  }

  settle(input: SettleInput): Promise<BudgetState> {
    return this.run((target) => {
      if (target === this.fallback) this.budgetsChargedLocally.add(input.key);
      return target.settle(input);
    });
  }

  readBudget(key: string): Promise<BudgetState> {
    return this.run((target) => target.readBudget(key));
  }

  breakerFailure(input: { key: string; threshold: number; openMs: number }): Promise<BreakerState> {
    return this.run((target) => target.breakerFailure(input));
  }

  breakerSuccess(key: string): Promise<void> {
    return this.run((target) => target.breakerSuccess(key));
  }

  breaker(key: string): Promise<BreakerState> {
    return this.run((target) => target.breaker(key));
  }

  breakerTryProbe(input: { key: string; probeMs: number }): Promise<boolean> {
    return this.run((target) => target.breakerTryProbe(input));
  }

  get(key: string): Promise<string | undefined> {
    return this.run((target) => target.get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.run((target) => target.set(key, value, ttlMs));
  }

  delete(key: string): Promise<void> {
    return this.run((target) => target.delete(key));
  }

  listPush(key: string, value: string, options: { max: number; ttlMs: number }): Promise<void> {
    return this.run((target) => target.listPush(key, value, options));
  }

  listRange(key: string): Promise<string[]> {
    return this.run((target) => target.listRange(key));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.prober) clearInterval(this.prober);
    await this.fallback?.close();
    if (this.client.status === 'ready') await withDeadline(this.client.quit(), 1000).catch(() => undefined);
    this.client.disconnect();
  }
}

export function createRedisState(url: string, options: RedisStateOptions = {}): RedisState {
  return new RedisState(url, options);
}
