/**
 * Budget periods in UTC. A counter is keyed by its period (`day:2026-11-05`, `month:2026-11`,
 * `total`), so a new day or month starts a new counter and nothing has to be reset at midnight.
 */
import type { BudgetPeriod } from './types.js';

export interface PeriodWindow {
  /** Part of the counter key, e.g. `month:2026-11`. */
  id: string;
  /** Epoch ms the period began (0 for `total`). */
  start: number;
  /** Epoch ms the next period begins; undefined for `total`. */
  end: number | undefined;
}

/** Counters outlive their period by this much, so a call that straddles midnight still settles. */
const periodMarginMs = 60 * 60_000;
/** A lifetime counter idle this long is dropped and later re-seeded from the traces. */
const totalIdleMs = 30 * 24 * 60 * 60_000;

const pad = (value: number): string => String(value).padStart(2, '0');

export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === 'day') {
    const start = Date.UTC(year, month, date.getUTCDate());
    return { id: `day:${year}-${pad(month + 1)}-${pad(date.getUTCDate())}`, start, end: start + 24 * 60 * 60_000 };
  }
  if (period === 'month') {
    return { id: `month:${year}-${pad(month + 1)}`, start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  }
  return { id: 'total', start: 0, end: undefined };
}

/** How long the counter of this period should live from now. */
export function counterTtlMs(window: PeriodWindow, now: number): number {
  return window.end === undefined ? totalIdleMs : window.end - now + periodMarginMs;
}

const periodWords: Record<BudgetPeriod, string> = { day: 'daily', month: 'monthly', total: 'total' };

/** "daily budget (UTC day 2026-11-05)" and the like, for error messages. */
export function describePeriod(period: BudgetPeriod, window: PeriodWindow): string {
  if (period === 'total') return 'total budget';
  return `${periodWords[period]} budget (UTC ${window.id.replace(':', ' ')})`;
}
