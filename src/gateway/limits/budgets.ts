/**
 * Budgets per key and per project. A call reserves its estimated (upper-bound) cost on every
 * budget that applies before it is sent, and settles the actual cost when it ends; a reservation
 * that does not fit is refused. Because the check and the hold are one atomic step in the shared
 * state, concurrent calls in any number of processes cannot overspend together: a budget is
 * exceeded only when a call costs more than it reserved, and streams that run past their
 * reservation top it up as they go (`checkRunning`), which stops them at the limit.
 */
import { FenerError } from '../../core/index.js';
import type { SharedState } from '../../state/index.js';
import { counterTtlMs, describePeriod, periodWindow } from './periods.js';
import type { Budget, LimitPrincipal } from './types.js';

/** Reads what a key or project spent since a time (the traces table); seeds a new counter. */
export type SpendSource = (query: { keyId?: string; projectId?: string; since: number }) => Promise<number>;

export interface ReserveBudgetInput {
  principal: LimitPrincipal;
  keyBudget?: Budget;
  projectBudget?: Budget;
  estimatedCostUsd: number;
}

interface BudgetHold {
  /** "key key_123's daily budget (UTC day 2026-11-05)", for messages: made only when one is. */
  label: () => string;
  key: string;
  limit: number;
  ttlMs: number;
  seed: { keyId?: string; projectId?: string; since: number };
  reservationIds: string[];
  /** USD held so far (the estimate plus any top-ups). */
  held: number;
}

/** The budgets a call holds; hand it back to `settle` exactly once (later calls are ignored). */
export interface BudgetReservation {
  readonly estimatedCostUsd: number;
  readonly holds: readonly BudgetHold[];
  settled: boolean;
  /** Top-ups of one stream run one after another; false once the stream was told to stop. */
  pending: Promise<boolean>;
  /** The running cost at the previous check, to size the next chunk. */
  lastRunningUsd: number;
}

export interface BudgetGuardOptions {
  state: SharedState;
  /** Without it, a new counter starts at zero spend. */
  spend?: SpendSource;
  clock: () => number;
  /** How long an unsettled hold lasts (see `ReserveInput.holdMs`). */
  holdMs?: number;
}

/** Float slack when comparing a running cost with its estimate (far below a cent). */
const budgetTolerance = 1e-9;

const usd = (amount: number): string => `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 0.01 ? 6 : 2)}`;

export class BudgetGuard {
  constructor(private readonly options: BudgetGuardOptions) {}

  private plan(input: ReserveBudgetInput): BudgetHold[] {
    const now = this.options.clock();
    const owners = [
      { scope: 'key', id: input.principal.id, budget: input.keyBudget },
      { scope: 'project', id: input.principal.projectId, budget: input.projectBudget },
    ] as const;
    const holds: BudgetHold[] = [];
    for (const { scope, id, budget } of owners) {
      if (id === null || !budget) continue;
      const window = periodWindow(budget.period, now);
      holds.push({
        label: () => `${scope} ${id}'s ${describePeriod(budget.period, window)} of ${usd(budget.usd)}`,
        key: `budget:${scope}:${id}:${window.id}`,
        limit: budget.usd,
        ttlMs: counterTtlMs(window, now),
        seed: scope === 'key' ? { keyId: id, since: window.start } : { projectId: id, since: window.start },
        reservationIds: [],
        held: 0,
      });
    }
    return holds;
  }

  /**
   * The spend a new counter starts from. If the traces cannot be read the call is refused (503):
   * starting from zero could let a key spend its whole budget a second time.
   */
  private async initialSpend(hold: BudgetHold): Promise<number> {
    if (!this.options.spend) return 0;
    try {
      return await this.options.spend(hold.seed);
    } catch (error) {
      throw new FenerError('unavailable', `cannot read what has been spent against ${hold.label()}; try again shortly`, { cause: error });
    }
  }

  /** One atomic reserve; a missing counter is seeded from the traces and the reserve retried. */
  private async hold(hold: BudgetHold, amount: number): Promise<{ allowed: boolean; spent: number; reserved: number }> {
    const input = {
      key: hold.key,
      amount,
      limit: hold.limit,
      ttlMs: hold.ttlMs,
      ...(this.options.holdMs ? { holdMs: this.options.holdMs } : {}),
    };
    let state = await this.options.state.reserve(input);
    if (state.missing) state = await this.options.state.reserve({ ...input, initialSpent: await this.initialSpend(hold) });
    if (state.allowed && state.reservationId) {
      hold.reservationIds.push(state.reservationId);
      hold.held += amount;
    }
    return state;
  }

  /** Holds the estimate on every applicable budget, or on none: throws `budget_exceeded` naming the budget. */
  async reserve(input: ReserveBudgetInput): Promise<BudgetReservation> {
    const holds = this.plan(input);
    const reservation: BudgetReservation = {
      estimatedCostUsd: input.estimatedCostUsd,
      holds,
      settled: false,
      pending: Promise.resolve(true),
      lastRunningUsd: 0,
    };
    for (const hold of holds) {
      const state = await this.hold(hold, input.estimatedCostUsd);
      if (state.allowed) continue;
      await this.settle(reservation, 0);
      const inFlight = state.reserved > 0 ? `, ${usd(state.reserved)} held by calls in progress` : '';
      throw new FenerError(
        'budget_exceeded',
        `Budget exceeded: ${hold.label()} has ${usd(state.spent)} spent${inFlight}; this call may cost up to ${usd(input.estimatedCostUsd)}.`,
      );
    }
    return reservation;
  }

  /** Releases the holds and adds the actual cost to every budget. */
  async settle(reservation: BudgetReservation, actualCostUsd: number): Promise<void> {
    if (reservation.settled) return;
    reservation.settled = true;
    await Promise.all(
      reservation.holds
        .filter((hold) => hold.reservationIds.length > 0 || actualCostUsd > 0)
        .map((hold) =>
          this.options.state.settle({ key: hold.key, reservationIds: hold.reservationIds, actual: actualCostUsd, ttlMs: hold.ttlMs }),
        ),
    );
  }

  /**
   * Whether a stream may go on now that it has cost `runningCostUsd`. While the next chunk (taken
   * to be as large as the last one) fits what is held, it may, without any I/O. Beyond that the
   * hold is topped up atomically, by the shortfall plus a tenth of the estimate so that a long
   * stream tops up rarely. When a top-up is refused, a stream still within its own estimate goes
   * on (that much is reserved for it); one past it is stopped (false). So a stream overspends
   * only if its very first top-up, at the edge of its estimate, is refused: by one chunk.
   */
  checkRunning(reservation: BudgetReservation, runningCostUsd: number): Promise<boolean> {
    if (reservation.settled) return Promise.resolve(true);
    const lastChunk = Math.max(0, runningCostUsd - reservation.lastRunningUsd);
    reservation.lastRunningUsd = Math.max(reservation.lastRunningUsd, runningCostUsd);
    const needed = runningCostUsd + lastChunk;
    if (reservation.holds.every((hold) => needed <= hold.held)) return reservation.pending;
    reservation.pending = reservation.pending.then(async (stillOk) => {
      if (!stillOk) return false;
      for (const hold of reservation.holds) {
        const shortfall = needed - hold.held;
        if (shortfall <= 0) continue;
        const margin = reservation.estimatedCostUsd / 10;
        const topped = (await this.hold(hold, shortfall + margin)).allowed || (margin > 0 && (await this.hold(hold, shortfall)).allowed);
        if (!topped && runningCostUsd > reservation.estimatedCostUsd + budgetTolerance) return false;
      }
      return true;
    });
    return reservation.pending;
  }
}
