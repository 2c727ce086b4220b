/** How the router reads a failed attempt: retry here, move on to the next target, or give up. */
import { FenerError, isFenerError, type FallbackTrigger } from '../../core/index.js';

export type Trigger = number | FallbackTrigger;

/** The condition a failure stands for, in the words of a group's `fallback_on`. */
export function triggerOf(error: unknown): Trigger {
  if (!isFenerError(error)) return 'connection';
  if (error.code === 'context_length_exceeded') return 'context_length';
  const upstream = error.upstreamStatus;
  if (error.code === 'upstream_timeout' && upstream === undefined) return 'timeout';
  if ((error.code === 'upstream_unavailable' || error.code === 'upstream_error') && upstream === undefined) return 'connection';
  if (error.code === 'upstream_error' && upstream !== undefined && upstream < 300) return 'malformed';
  return upstream ?? error.status;
}

/** Failures that say something about the target's health (not about the request). */
export function countsAgainstTarget(trigger: Trigger): boolean {
  if (typeof trigger !== 'number') return trigger !== 'context_length';
  return trigger === 429 || trigger >= 500;
}

export function isRetryable(error: unknown): boolean {
  return isFenerError(error) ? error.retryable : true;
}

/** Exponential backoff with full jitter; a `Retry-After` longer than the cap means "not here". */
export function retryDelayMs(error: unknown, attempt: number, policy: { baseDelayMs: number; maxDelayMs: number }): number | undefined {
  const retryAfter = isFenerError(error) ? error.retryAfterSeconds : undefined;
  if (retryAfter !== undefined && retryAfter * 1000 > policy.maxDelayMs) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.random() * ceiling;
  return Math.max(jittered, (retryAfter ?? 0) * 1000);
}

export function noTargetError(name: string, reasons: string[]): FenerError {
  return new FenerError('upstream_unavailable', `No target of "${name}" could take the call: ${reasons.join('; ')}`, { retryable: true });
}
