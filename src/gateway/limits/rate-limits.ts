/**
 * Requests and tokens per minute, per key, per project and per model, admitted in one atomic
 * step across all of them: a call refused by one window is charged to none.
 *
 * Tokens are charged at admission with the estimated input tokens (so a burst of concurrent calls
 * cannot all slip under the limit), then corrected to the actual input + output tokens when the
 * call ends.
 */
import { FenerError } from '../../core/index.js';
import type { SharedState, WindowInput, WindowResult } from '../../state/index.js';
import { formatResetDuration } from './reset-format.js';
import type { LimitedModel, LimitPrincipal, RateLimits } from './types.js';

const minuteMs = 60_000;

type Scope = 'key' | 'project' | 'model';
type Measure = 'requests' | 'tokens';

interface PlannedWindow extends WindowInput {
  scope: Scope;
  owner: string;
  measure: Measure;
}

export interface AdmitInput {
  principal: LimitPrincipal;
  keyLimits?: RateLimits;
  projectLimits?: RateLimits;
  model: LimitedModel;
  /** Input tokens counted before sending; charged now, corrected by `recordTokens`. */
  estimatedInputTokens: number;
}

/** An admitted call: the headers to send with its response, and what to correct afterwards. */
export interface AdmissionTicket {
  /** `x-ratelimit-*` headers of the tightest request and token limits (empty when none applies). */
  readonly headers: Record<string, string>;
  readonly estimatedTokens: number;
  readonly tokenWindows: readonly { key: string; windowMs: number }[];
  recorded: boolean;
}

function planWindows(input: AdmitInput): PlannedWindow[] {
  const owners: { scope: Scope; owner: string | null; limits: RateLimits | undefined }[] = [
    { scope: 'key', owner: input.principal.id, limits: input.keyLimits },
    { scope: 'project', owner: input.principal.projectId, limits: input.projectLimits },
    { scope: 'model', owner: input.model.name, limits: input.model.limits },
  ];
  const windows: PlannedWindow[] = [];
  for (const { scope, owner, limits } of owners) {
    if (owner === null || !limits) continue;
    const base = { scope, owner, windowMs: minuteMs };
    if (limits.rpm !== undefined)
      windows.push({ ...base, measure: 'requests', key: `rl:${scope}:${owner}:rpm`, amount: 1, limit: limits.rpm });
    if (limits.tpm !== undefined) {
      windows.push({ ...base, measure: 'tokens', key: `rl:${scope}:${owner}:tpm`, amount: input.estimatedInputTokens, limit: limits.tpm });
    }
  }
  return windows;
}

/** The `x-ratelimit-*` headers of one measure: the window with the least room left wins. */
function headersFor(measure: Measure, windows: PlannedWindow[], results: WindowResult[]): Record<string, string> {
  let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
  windows.forEach((window, index) => {
    const result = results[index];
    if (window.measure !== measure || !result) return;
    const remaining = Math.max(0, Math.floor(window.limit - result.total));
    if (!tightest || remaining < tightest.remaining || (remaining === tightest.remaining && window.limit < tightest.limit)) {
      tightest = { limit: window.limit, remaining, resetMs: result.resetMs };
    }
  });
  if (!tightest) return {};
  return {
    [`x-ratelimit-limit-${measure}`]: String(tightest.limit),
    [`x-ratelimit-remaining-${measure}`]: String(tightest.remaining),
    [`x-ratelimit-reset-${measure}`]: formatResetDuration(tightest.resetMs),
  };
}

const measureNames: Record<Measure, string> = { requests: 'requests per min (RPM)', tokens: 'tokens per min (TPM)' };

function refusal(window: PlannedWindow, result: WindowResult, headers: Record<string, string>): FenerError {
  const retryAfterMs = result.retryAfterMs;
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const message =
    `Rate limit reached for ${window.scope} ${window.owner} on ${measureNames[window.measure]}: ` +
    `Limit ${window.limit}, Used ${Math.ceil(result.total)}, Requested ${window.amount}. Please try again in ${formatResetDuration(retryAfterMs)}.`;
  return new FenerError('rate_limited', message, {
    retryAfterSeconds: seconds,
    headers: { ...headers, 'retry-after-ms': String(Math.ceil(retryAfterMs)) },
  });
}

/** A request larger than a whole token limit can never be admitted: say so instead of "retry later". */
function tooLarge(windows: PlannedWindow[]): FenerError | undefined {
  const window = windows.find((candidate) => candidate.amount > candidate.limit);
  if (!window) return undefined;
  return new FenerError(
    'rate_limited',
    `Request too large for ${window.scope} ${window.owner} on ${measureNames[window.measure]}: ` +
      `Limit ${window.limit}, Requested ${window.amount}. Send fewer tokens.`,
    { retryable: false },
  );
}

export class RateLimiter {
  constructor(private readonly state: SharedState) {}

  /** Charges every applicable window or throws `rate_limited` with `Retry-After` and the headers. */
  async admit(input: AdmitInput): Promise<AdmissionTicket> {
    const windows = planWindows(input);
    const tokenWindows = windows.filter((window) => window.measure === 'tokens').map(({ key, windowMs }) => ({ key, windowMs }));
    if (windows.length === 0) return { headers: {}, estimatedTokens: input.estimatedInputTokens, tokenWindows, recorded: false };
    const impossible = tooLarge(windows);
    if (impossible) throw impossible;
    const batch = await this.state.consumeAll(windows.map(({ key, amount, limit, windowMs }) => ({ key, amount, limit, windowMs })));
    const headers = { ...headersFor('requests', windows, batch.windows), ...headersFor('tokens', windows, batch.windows) };
    if (!batch.allowed) {
      let worst = -1;
      batch.windows.forEach((result, index) => {
        if (!result.allowed && (worst < 0 || result.retryAfterMs > (batch.windows[worst]?.retryAfterMs ?? 0))) worst = index;
      });
      const result = batch.windows[worst] as WindowResult;
      throw refusal(windows[worst] as PlannedWindow, result, headers);
    }
    return { headers, estimatedTokens: input.estimatedInputTokens, tokenWindows, recorded: false };
  }

  /** Replaces the estimate charged at admission by the actual input + output tokens (once per ticket). */
  async recordTokens(ticket: AdmissionTicket, actualTokens: number): Promise<void> {
    if (ticket.recorded) return;
    ticket.recorded = true;
    const correction = actualTokens - ticket.estimatedTokens;
    if (correction === 0) return;
    await Promise.all(ticket.tokenWindows.map((window) => this.state.record({ ...window, amount: correction })));
  }
}
