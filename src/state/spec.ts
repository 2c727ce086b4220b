/**
 * Shared state: what several gateway processes must agree on — rate-limit windows, budget
 * reservations, circuit-breaker state and cached responses. In one process it lives in memory;
 * with `REDIS_URL` it lives in Redis and every read-modify-write is one Lua script, so replicas
 * never race each other. If Redis goes away, the Redis implementation degrades to local memory
 * with a logged warning and returns to Redis when it answers again.
 *
 * Windows are sliding windows approximated by two fixed sub-windows: the previous window's
 * total is weighted by how much of it still overlaps the sliding window. One small hash per
 * window whatever the traffic, against one sorted-set member per request for an exact log.
 */

/** One window's answer. */
export interface WindowResult {
  /** Whether this window had room for `amount` (always true for `record`). */
  allowed: boolean;
  /** The window's (weighted) total after this call: including `amount` only when it was admitted. */
  total: number;
  /** Milliseconds until enough of the window expires to admit `amount` (0 when it had room). */
  retryAfterMs: number;
  /** Milliseconds until the window's total is back to zero, if nothing more is added. */
  resetMs: number;
}

export interface WindowInput {
  /** e.g. `rl:key:key_123:rpm` */
  key: string;
  /** What to add: 1 for a request, a token count for tokens. */
  amount: number;
  limit: number;
  windowMs: number;
}

/** The answer of `consumeAll`: either every window was charged, or none was. */
export interface WindowBatchResult {
  allowed: boolean;
  /** One result per input, in input order; `allowed` there says whether that window had room. */
  windows: WindowResult[];
}

export interface ReserveInput {
  /** e.g. `budget:key:key_123:month:2026-11` */
  key: string;
  /** The estimated cost to hold back while the call runs. */
  amount: number;
  limit: number;
  /** How long the counters live (the budget period plus a margin); refreshed on each write. */
  ttlMs: number;
  /**
   * Spend already recorded elsewhere (the database) for this period, used to create the counter
   * when it does not exist. When omitted and the counter does not exist, nothing is reserved and
   * the answer has `missing: true`: the caller reads the spend (a query it avoids on every other
   * call) and calls again with it. Concurrent seeders are safe: only the first one creates it.
   */
  initialSpent?: number;
  /**
   * How long the hold lasts if it is never settled — a process that crashed mid-call, or a
   * reservation that reached Redis after its caller had timed out and moved on. An expired hold
   * frees its amount by itself, so no failure can shrink a budget for the rest of its period.
   * Default 15 minutes.
   */
  holdMs?: number;
}

export interface BudgetState {
  allowed: boolean;
  spent: number;
  /** The sum of the live holds. */
  reserved: number;
  /** True when the counter does not exist (never seeded, expired, or the store was emptied). */
  missing: boolean;
  /** The hold taken by an admitted `reserve`, to pass to `settle`. */
  reservationId?: string;
}

export interface SettleInput {
  key: string;
  /** The holds to release (from `reserve`); holds that already expired are skipped. */
  reservationIds: string[];
  /** The actual cost, added to the spend. */
  actual: number;
  ttlMs: number;
}

export interface BreakerState {
  /** Consecutive failures counted so far. */
  failures: number;
  /** Epoch ms until which the circuit stays open; 0 when it never opened. */
  openUntil: number;
}

export interface SharedState {
  readonly kind: 'memory' | 'redis';
  /** True while a Redis state runs on its local fallback. */
  readonly degraded: boolean;

  /** Sliding-window admission: adds `amount` only if the window's total stays within `limit`. */
  consume(input: WindowInput): Promise<WindowResult>;
  /** Admission on several windows at once (key, project, model): all are charged, or none. */
  consumeAll(inputs: WindowInput[]): Promise<WindowBatchResult>;
  /**
   * Adds to a window without checking (tokens known only after the call). A negative amount
   * corrects an earlier over-estimate; a window never goes below zero.
   */
  record(input: Omit<WindowInput, 'limit'>): Promise<WindowResult>;
  /** The window's current (weighted) total. */
  peek(input: Omit<WindowInput, 'amount' | 'limit'>): Promise<number>;

  /** Holds `amount` if spent + reserved + amount ≤ limit (see `initialSpent` for a new counter, `holdMs` for leaks). */
  reserve(input: ReserveInput): Promise<BudgetState>;
  /** Releases holds and adds the actual cost; does nothing to a missing counter. */
  settle(input: SettleInput): Promise<BudgetState>;
  /** The budget's current spend and reservations. */
  readBudget(key: string): Promise<BudgetState>;

  /**
   * Circuit breaker: counts a failure; opens the circuit for `openMs` when failures reach
   * `threshold` (and re-opens it when a half-open probe fails). Counts are forgotten after a
   * quiet spell of max(2 × openMs, 60 s).
   */
  breakerFailure(input: { key: string; threshold: number; openMs: number }): Promise<BreakerState>;
  /** Closes the circuit and forgets its failures. */
  breakerSuccess(key: string): Promise<void>;
  breaker(key: string): Promise<BreakerState>;
  /** Lets exactly one caller probe a half-open circuit for `probeMs`; true for the one that won. */
  breakerTryProbe(input: { key: string; probeMs: number }): Promise<boolean>;

  /** Opaque values with a time to live (the response cache). */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Prepends to a bounded list with a TTL (semantic-cache entries of one scope); keeps the newest `max`. */
  listPush(key: string, value: string, options: { max: number; ttlMs: number }): Promise<void>;
  /** The list, newest first; empty when it does not exist. */
  listRange(key: string): Promise<string[]>;

  close(): Promise<void>;
}
