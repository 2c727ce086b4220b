/**
 * The sliding-window arithmetic, kept pure so the memory state uses it directly and the Lua
 * script in `redis-scripts.ts` can mirror it line for line (the shared test suite holds the two
 * to the same answers).
 *
 * A window of length W is two fixed sub-windows: the current one, starting at ⌊now / W⌋ · W,
 * and the one before it. The previous total counts in proportion to how much of it still
 * overlaps [now − W, now], assuming its traffic was spread evenly.
 */
import type { WindowResult } from './spec.js';

export interface WindowCounters {
  /** Start (epoch ms) of the current fixed sub-window. */
  start: number;
  current: number;
  previous: number;
}

/** The counters moved to the sub-window that holds `now`. */
export function rollWindow(counters: WindowCounters | undefined, now: number, windowMs: number): WindowCounters {
  const start = Math.floor(now / windowMs) * windowMs;
  if (!counters) return { start, current: 0, previous: 0 };
  // A start at or after ours: the same sub-window, or one opened by a process whose clock runs
  // slightly ahead; either way it is the current one.
  if (counters.start >= start) return counters;
  const previous = counters.start === start - windowMs ? counters.current : 0;
  return { start, current: 0, previous };
}

function elapsedIn(counters: WindowCounters, now: number, windowMs: number): number {
  return Math.min(Math.max(now - counters.start, 0), windowMs);
}

export function weightedTotal(counters: WindowCounters, now: number, windowMs: number): number {
  const elapsed = elapsedIn(counters, now, windowMs);
  return (counters.previous * (windowMs - elapsed)) / windowMs + counters.current;
}

/** Milliseconds until the total is back to zero if nothing more arrives. */
export function resetAfter(counters: WindowCounters, now: number, windowMs: number): number {
  const elapsed = elapsedIn(counters, now, windowMs);
  if (counters.current > 0) return 2 * windowMs - elapsed;
  if (counters.previous > 0) return windowMs - elapsed;
  return 0;
}

/** Milliseconds until `amount` fits under `limit`, for a window that has no room now. */
export function retryAfter(counters: WindowCounters, input: { now: number; amount: number; limit: number; windowMs: number }): number {
  const { now, amount, limit, windowMs } = input;
  // Larger than the whole limit: it never fits; the caller reports that case by itself.
  if (amount > limit) return Math.max(1, Math.ceil(resetAfter(counters, now, windowMs)));
  const elapsed = elapsedIn(counters, now, windowMs);
  const room = limit - counters.current - amount;
  let wait: number;
  if (room >= 0 && counters.previous > 0) {
    // Only the previous sub-window's share is in the way, and it shrinks linearly.
    wait = windowMs - (room * windowMs) / counters.previous - elapsed;
  } else {
    // The current sub-window alone is too full: wait for it to become the previous one and shrink.
    wait = windowMs - elapsed + windowMs - ((limit - amount) * windowMs) / Math.max(counters.current, 1);
  }
  return Math.max(1, Math.ceil(wait));
}

/** Admission against one window, in memory: the counters after the call and the answer. */
export function admitWindow(
  counters: WindowCounters,
  input: { now: number; amount: number; limit: number; windowMs: number },
): { allowed: boolean; result: WindowResult } {
  const { now, amount, limit, windowMs } = input;
  const total = weightedTotal(counters, now, windowMs);
  const allowed = total + amount <= limit;
  return {
    allowed,
    result: {
      allowed,
      total: allowed ? total + amount : total,
      retryAfterMs: allowed ? 0 : retryAfter(counters, input),
      resetMs: allowed
        ? resetAfter({ ...counters, current: counters.current + amount }, now, windowMs)
        : resetAfter(counters, now, windowMs),
    },
  };
}

/** Adds (or, when negative, takes back) an amount: from the current sub-window first, then the previous one. */
export function addToWindow(counters: WindowCounters, amount: number): WindowCounters {
  if (amount >= 0) return { ...counters, current: counters.current + amount };
  const fromCurrent = Math.min(counters.current, -amount);
  const rest = -amount - fromCurrent;
  return { ...counters, current: counters.current - fromCurrent, previous: Math.max(0, counters.previous - rest) };
}
