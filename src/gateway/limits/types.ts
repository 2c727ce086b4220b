/** The inputs the limits share with the rest of the gateway. */
import type { Budget, RateLimits } from '../../store/index.js';

export type { Budget, BudgetPeriod, RateLimits } from '../../store/index.js';

/** Who is calling: the key, and the project it belongs to (none for the admin key). */
export interface LimitPrincipal {
  id: string;
  projectId: string | null;
}

/** A model as far as limits care: its name and its configured per-model limits. */
export interface LimitedModel {
  name: string;
  limits?: RateLimits;
}

/** What the store holds for a key and its project, as `admit` and `reserveBudget` take it. */
export interface LimitSettings {
  keyLimits?: RateLimits;
  projectLimits?: RateLimits;
  keyBudget?: Budget;
  projectBudget?: Budget;
}
