/**
 * Shared state for one process. Node runs each call to completion before the next, so every
 * read-modify-write here is atomic without locks. Memory stays bounded: every entry has a time
 * to live, a periodic (unref'd) sweep drops expired ones, and cached values are capped in number.
 */
import { breakerMemoryMs } from './budget-math.js';
import { ExpiringMap } from './expiring-map.js';
import { MemoryBudgets } from './memory-budgets.js';
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
import { addToWindow, admitWindow, resetAfter, rollWindow, weightedTotal, type WindowCounters } from './window-math.js';

export interface MemoryStateOptions {
  /** Epoch ms; injected by tests. */
  clock?: () => number;
  /** How often expired entries are swept (default 10 s). */
  sweepIntervalMs?: number;
  /** Most cached values and lists kept; the oldest written go first (default 100,000). */
  maxValues?: number;
}

export class MemoryState implements SharedState {
  readonly kind = 'memory' as const;
  readonly degraded = false;

  private readonly clock: () => number;
  private readonly windows = new ExpiringMap<WindowCounters>();
  private readonly budgets: MemoryBudgets;
  private readonly breakers = new ExpiringMap<BreakerState>();
  private readonly probes = new ExpiringMap<true>();
  private readonly values: ExpiringMap<string>;
  private readonly lists: ExpiringMap<string[]>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.budgets = new MemoryBudgets(this.clock);
    this.values = new ExpiringMap(options.maxValues ?? 100_000);
    this.lists = new ExpiringMap(options.maxValues ?? 100_000);
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.sweeper.unref();
  }

  /** Drops expired entries now; returns how many. */
  sweep(): number {
    const now = this.clock();
    return [this.windows, this.budgets, this.breakers, this.probes, this.values, this.lists].reduce((sum, map) => sum + map.sweep(now), 0);
  }

  /** Live and not-yet-swept entries, for tests of boundedness. */
  get size(): number {
    return this.windows.size + this.budgets.size + this.breakers.size + this.probes.size + this.values.size + this.lists.size;
  }

  async consume(input: WindowInput): Promise<WindowResult> {
    const batch = await this.consumeAll([input]);
    return batch.windows[0] as WindowResult;
  }

  async consumeAll(inputs: WindowInput[]): Promise<WindowBatchResult> {
    const now = this.clock();
    const counters: WindowCounters[] = [];
    const windows: WindowResult[] = [];
    let allowed = true;
    for (const input of inputs) {
      const rolled = rollWindow(this.windows.get(input.key, now), now, input.windowMs);
      const checked = admitWindow(rolled, { now, amount: input.amount, limit: input.limit, windowMs: input.windowMs });
      counters.push(rolled);
      windows.push(checked.result);
      allowed &&= checked.allowed;
    }
    if (allowed) {
      inputs.forEach((input, index) => {
        this.windows.set(input.key, addToWindow(counters[index] as WindowCounters, input.amount), now + 2 * input.windowMs);
      });
    }
    return { allowed, windows };
  }

  async record(input: Omit<WindowInput, 'limit'>): Promise<WindowResult> {
    const now = this.clock();
    const counters = addToWindow(rollWindow(this.windows.get(input.key, now), now, input.windowMs), input.amount);
    this.windows.set(input.key, counters, now + 2 * input.windowMs);
    return {
      allowed: true,
      total: weightedTotal(counters, now, input.windowMs),
      retryAfterMs: 0,
      resetMs: resetAfter(counters, now, input.windowMs),
    };
  }

  async peek(input: Omit<WindowInput, 'amount' | 'limit'>): Promise<number> {
    const now = this.clock();
    const counters = this.windows.get(input.key, now);
    return counters ? weightedTotal(rollWindow(counters, now, input.windowMs), now, input.windowMs) : 0;
  }

  async reserve(input: ReserveInput): Promise<BudgetState> {
    return this.budgets.reserve(input);
  }

  async settle(input: SettleInput): Promise<BudgetState> {
    return this.budgets.settle(input);
  }

  async readBudget(key: string): Promise<BudgetState> {
    return this.budgets.read(key);
  }

  async breakerFailure(input: { key: string; threshold: number; openMs: number }): Promise<BreakerState> {
    const now = this.clock();
    const before = this.breakers.get(input.key, now) ?? { failures: 0, openUntil: 0 };
    const failures = before.failures + 1;
    let openUntil = before.openUntil;
    if (failures >= input.threshold && openUntil <= now) {
      openUntil = now + input.openMs;
      // A new open spell: the next half-open moment gets a fresh probe.
      this.probes.delete(probeKey(input.key));
    }
    const state = { failures, openUntil };
    this.breakers.set(input.key, state, now + breakerMemoryMs(input.openMs));
    return { ...state };
  }

  async breakerSuccess(key: string): Promise<void> {
    this.breakers.delete(key);
    this.probes.delete(probeKey(key));
  }

  async breaker(key: string): Promise<BreakerState> {
    const state = this.breakers.get(key, this.clock());
    return state ? { ...state } : { failures: 0, openUntil: 0 };
  }

  async breakerTryProbe(input: { key: string; probeMs: number }): Promise<boolean> {
    const now = this.clock();
    if (this.probes.get(probeKey(input.key), now)) return false;
    this.probes.set(probeKey(input.key), true, now + input.probeMs);
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key, this.clock());
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, value, this.clock() + ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.lists.delete(key);
  }

  async listPush(key: string, value: string, options: { max: number; ttlMs: number }): Promise<void> {
    const now = this.clock();
    const list = [value, ...(this.lists.get(key, now) ?? [])].slice(0, options.max);
    this.lists.set(key, list, now + options.ttlMs);
  }

  async listRange(key: string): Promise<string[]> {
    return [...(this.lists.get(key, this.clock()) ?? [])];
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const map of [this.windows, this.budgets, this.breakers, this.probes, this.values, this.lists]) map.clear();
  }
}

/** The probe of a breaker lives beside it, as it does in Redis. */
export function probeKey(key: string): string {
  return `${key}:probe`;
}

export function createMemoryState(options: MemoryStateOptions = {}): MemoryState {
  return new MemoryState(options);
}
