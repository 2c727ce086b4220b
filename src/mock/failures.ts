/**
 * Failure injection. One draw of the seeded generator per `/v1` request, taken when the request
 * arrives (so the sequence does not depend on how fast bodies are read), is placed on bands laid
 * end to end in this order: error, timeout, reset, cut stream, malformed. A band's width is its
 * rate, so each rate is exactly the share of requests that fail that way as long as the rates
 * add up to at most 1; beyond that, the later bands are squeezed out.
 */
import type { ResolvedFailures } from './options.js';

export type FailureKind = 'none' | 'error' | 'timeout' | 'reset' | 'cut' | 'malformed';

export interface FailureDecision {
  kind: FailureKind;
  /** HTTP status for `error`. */
  status: number;
  /** Forced by the `x-mock-fail` header rather than drawn. */
  forced: boolean;
}

const noFailure: FailureDecision = { kind: 'none', status: 200, forced: false };

export function decideFailure(draw: number, failures: ResolvedFailures): FailureDecision {
  let edge = failures.errorRate;
  if (draw < edge) return { kind: 'error', status: failures.errorStatus, forced: false };
  edge += failures.timeoutRate;
  if (draw < edge) return { kind: 'timeout', status: 0, forced: false };
  edge += failures.resetRate;
  if (draw < edge) return { kind: 'reset', status: 0, forced: false };
  edge += failures.cutStreamRate;
  if (draw < edge) return { kind: 'cut', status: 0, forced: false };
  edge += failures.malformedRate;
  if (draw < edge) return { kind: 'malformed', status: 0, forced: false };
  return noFailure;
}

export const failureHeader = 'x-mock-fail';

/**
 * Reads `x-mock-fail: <status>|timeout|reset|cut|malformed`. Returns undefined without the header
 * and an error message for a value we do not understand, so a typo fails loudly in a test.
 */
export function parseFailureHeader(value: string | string[] | undefined): FailureDecision | string | undefined {
  if (value === undefined) return undefined;
  const text = (Array.isArray(value) ? (value[0] ?? '') : value).trim().toLowerCase();
  switch (text) {
    case 'timeout':
    case 'reset':
    case 'cut':
    case 'malformed':
      return { kind: text, status: 0, forced: true };
  }
  const status = /^\d{3}$/.test(text) ? Number(text) : NaN;
  if (status >= 400 && status <= 599) return { kind: 'error', status, forced: true };
  return `Invalid ${failureHeader} header "${text}": expected an HTTP status from 400 to 599, timeout, reset, cut or malformed.`;
}

/**
 * `cutStreamRate` is about streams: a drawn cut on a non-streamed request is no failure at all.
 * A forced `cut` on a non-streamed request still cuts, by truncating the body mid-way.
 */
export function applicableFailure(decision: FailureDecision, streaming: boolean): FailureDecision {
  if (decision.kind === 'cut' && !streaming && !decision.forced) return noFailure;
  return decision;
}

/** Whether an injected error should carry `Retry-After`: the statuses that invite a retry later. */
export function wantsRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}
