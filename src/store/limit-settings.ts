/**
 * Rate limits and budgets of a key or a project: four nullable columns on `api_keys` and
 * `projects` (`rpm`, `tpm`, `budget_usd`, `budget_period`), read and written the same way for both.
 */
import { FenerError } from '../core/index.js';
import type { LimitColumns } from './schema.js';

export const budgetPeriods = ['day', 'month', 'total'] as const;

/** UTC calendar day, UTC calendar month, or the whole lifetime. */
export type BudgetPeriod = (typeof budgetPeriods)[number];

/** Requests and tokens per minute; an absent field means no limit. */
export interface RateLimits {
  rpm?: number;
  tpm?: number;
}

/** A spending cap in USD per period. */
export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

/** A change: a field set to a value replaces it, `null` removes it, absent leaves it alone. */
export interface LimitSettingsUpdate {
  limits?: { rpm?: number | null; tpm?: number | null };
  budget?: Budget | null;
}

export function readLimitColumns(row: LimitColumns): { limits: RateLimits; budget?: Budget } {
  const limits: RateLimits = {};
  if (row.rpm !== null) limits.rpm = Number(row.rpm);
  if (row.tpm !== null) limits.tpm = Number(row.tpm);
  const period = row.budget_period as BudgetPeriod | null;
  if (row.budget_usd === null || period === null || !budgetPeriods.includes(period)) return { limits };
  return { limits, budget: { usd: Number(row.budget_usd), period } };
}

/** The columns an update writes; throws `invalid_request` naming the field for a bad value. */
export function limitColumnsOf(update: LimitSettingsUpdate): Partial<LimitColumns> {
  const columns: Partial<LimitColumns> = {};
  for (const field of ['rpm', 'tpm'] as const) {
    const value = update.limits?.[field];
    if (value === undefined) continue;
    if (value !== null && !(Number.isInteger(value) && value > 0)) {
      throw new FenerError('invalid_request', `limits.${field} must be a positive integer`, { param: `limits.${field}` });
    }
    columns[field] = value;
  }
  if (update.budget === null) {
    columns.budget_usd = null;
    columns.budget_period = null;
  } else if (update.budget !== undefined) {
    if (!(Number.isFinite(update.budget.usd) && update.budget.usd > 0)) {
      throw new FenerError('invalid_request', 'budget.usd must be a positive number', { param: 'budget.usd' });
    }
    if (!budgetPeriods.includes(update.budget.period)) {
      throw new FenerError('invalid_request', `budget.period must be one of ${budgetPeriods.join(', ')}`, { param: 'budget.period' });
    }
    columns.budget_usd = update.budget.usd;
    columns.budget_period = update.budget.period;
  }
  return columns;
}

export function hasChanges(columns: Partial<LimitColumns>): boolean {
  return Object.keys(columns).length > 0;
}
