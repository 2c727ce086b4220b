/**
 * Traffic limits of the request path, over the shared state (memory, or Redis across replicas):
 * rate limits (`admit`, `recordTokens`) and budgets (`reserveBudget`, `settle`, `checkRunning`).
 *
 * A call goes: `admit` → `reserveBudget` → upstream (with `checkRunning` per streamed chunk) →
 * `recordTokens` and `settle` when it ends, whether it succeeded or failed.
 */
import type { SharedState } from '../../state/index.js';
import { BudgetGuard, type BudgetReservation, type ReserveBudgetInput, type SpendSource } from './budgets.js';
import { RateLimiter, type AdmissionTicket, type AdmitInput } from './rate-limits.js';

export interface LimitsOptions {
  state: SharedState;
  /** Spend recorded in the traces since a time, e.g. `(query) => store.traces.spend(query)`. */
  spend?: SpendSource;
  /** Epoch ms, for budget periods (UTC days and months); injected by tests. */
  clock?: () => number;
  /** How long an unsettled budget hold lasts before it frees itself (default 15 min). */
  holdMs?: number;
}

export class Limits {
  private readonly rates: RateLimiter;
  private readonly budgets: BudgetGuard;

  constructor(options: LimitsOptions) {
    this.rates = new RateLimiter(options.state);
    this.budgets = new BudgetGuard({
      state: options.state,
      clock: options.clock ?? Date.now,
      ...(options.spend ? { spend: options.spend } : {}),
      ...(options.holdMs ? { holdMs: options.holdMs } : {}),
    });
  }

  /** Admits a call against every RPM/TPM window of its key, project and model, or throws `rate_limited`. */
  admit(input: AdmitInput): Promise<AdmissionTicket> {
    return this.rates.admit(input);
  }

  /** After the call: the actual input + output tokens replace the estimate in the TPM windows. */
  recordTokens(ticket: AdmissionTicket, actualTokens: number): Promise<void> {
    return this.rates.recordTokens(ticket, actualTokens);
  }

  /** Reserves the estimated cost on the key's and the project's budgets, or throws `budget_exceeded`. */
  reserveBudget(input: ReserveBudgetInput): Promise<BudgetReservation> {
    return this.budgets.reserve(input);
  }

  /** After the call (also after a failure, with what it cost): releases the reservation and counts the cost. */
  settle(reservation: BudgetReservation, actualCostUsd: number): Promise<void> {
    return this.budgets.settle(reservation, actualCostUsd);
  }

  /** During a stream: false once its running cost would take a budget past its limit (stop the stream then). */
  checkRunning(reservation: BudgetReservation, runningCostUsd: number): Promise<boolean> {
    return this.budgets.checkRunning(reservation, runningCostUsd);
  }
}
