/**
 * Budget counters of the memory state: the spend, and the live holds whose amounts make up
 * `reserved`. Holds expire (see `ReserveInput.holdMs`); since nearly all share one hold time,
 * insertion order is expiry order, and purging from the oldest end costs O(1) per call.
 */
import { randomToken } from '../core/index.js';
import { defaultHoldMs, fitsBudget, holdId } from './budget-math.js';
import { ExpiringMap } from './expiring-map.js';
import type { BudgetState, ReserveInput, SettleInput } from './spec.js';

interface BudgetCounters {
  spent: number;
  reserved: number;
  holds: Map<string, { amount: number; expiresAt: number }>;
}

const missing: BudgetState = { allowed: false, spent: 0, reserved: 0, missing: true };

export class MemoryBudgets {
  private readonly budgets = new ExpiringMap<BudgetCounters>();

  constructor(private readonly clock: () => number) {}

  get size(): number {
    return this.budgets.size;
  }

  sweep(now: number): number {
    return this.budgets.sweep(now);
  }

  clear(): void {
    this.budgets.clear();
  }

  private live(key: string, now: number): BudgetCounters | undefined {
    const counters = this.budgets.get(key, now);
    if (!counters) return undefined;
    for (const [id, hold] of counters.holds) {
      if (hold.expiresAt > now) break;
      counters.holds.delete(id);
      counters.reserved = Math.max(0, counters.reserved - hold.amount);
    }
    return counters;
  }

  reserve(input: ReserveInput): BudgetState {
    const now = this.clock();
    let counters = this.live(input.key, now);
    if (!counters) {
      if (input.initialSpent === undefined) return { ...missing };
      counters = { spent: input.initialSpent, reserved: 0, holds: new Map() };
    }
    const allowed = fitsBudget({ spent: counters.spent, reserved: counters.reserved, amount: input.amount, limit: input.limit });
    let reservationId: string | undefined;
    if (allowed) {
      reservationId = holdId(randomToken(), input.amount);
      counters.reserved += input.amount;
      counters.holds.set(reservationId, { amount: input.amount, expiresAt: now + (input.holdMs ?? defaultHoldMs) });
    }
    this.budgets.set(input.key, counters, now + input.ttlMs);
    return { allowed, spent: counters.spent, reserved: counters.reserved, missing: false, ...(reservationId ? { reservationId } : {}) };
  }

  settle(input: SettleInput): BudgetState {
    const now = this.clock();
    const counters = this.live(input.key, now);
    if (!counters) return { ...missing, allowed: true };
    for (const id of input.reservationIds) {
      const hold = counters.holds.get(id);
      if (!hold) continue;
      counters.holds.delete(id);
      counters.reserved = Math.max(0, counters.reserved - hold.amount);
    }
    counters.spent += input.actual;
    this.budgets.set(input.key, counters, now + input.ttlMs);
    return { allowed: true, spent: counters.spent, reserved: counters.reserved, missing: false };
  }

  read(key: string): BudgetState {
    const counters = this.live(key, this.clock());
    if (!counters) return { ...missing, allowed: true };
    return { allowed: true, spent: counters.spent, reserved: counters.reserved, missing: false };
  }
}
