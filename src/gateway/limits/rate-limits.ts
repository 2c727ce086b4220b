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
  const windows: PlannedWindow[] = [];
  const add = (scope: Scope, owner: string | null, limits: RateLimits | undefined): void => {
    if (owner === null || !limits) return;
    if (limits.rpm !== undefined) {
      windows.push({
        scope,
        owner,
        measure: 'requests',
        key: `rl:${scope}:${owner}:rpm`,
        amount: 1,
        limit: limits.rpm,
        windowMs: minuteMs,
      });
    }
    if (limits.tpm !== undefined) {
      const amount = input.estimatedInputTokens;
      windows.push({ scope, owner, measure: 'tokens', key: `rl:${scope}:${owner}:tpm`, amount, limit: limits.tpm, windowMs: minuteMs });
    }
  };
  add('key', input.principal.id, input.keyLimits);
  add('project', input.principal.projectId, input.projectLimits);
  add('model', input.model.name, input.model.limits);
  return windows;
}

/** The `x-ratelimit-*` headers: for each measure, the window with the least room left wins. */
function headersFor(windows: PlannedWindow[], results: WindowResult[]): Record<string, string> {
  const tightest: Partial<Record<Measure, { limit: number; remaining: number; resetMs: number }>> = {};
  windows.forEach((window, index) => {
    const result = results[index];
    if (!result) return;
    const remaining = Math.max(0, Math.floor(window.limit - result.total));
    const current = tightest[window.measure];
    if (!current || remaining < current.remaining || (remaining === current.remaining && window.limit < current.limit)) {
      tightest[window.measure] = { limit: window.limit, remaining, resetMs: result.resetMs };
    }
  });
  const headers: Record<string, string> = {};
  for (const measure of ['requests', 'tokens'] as const) {
    const chosen = tightest[measure];
    if (!chosen) continue;
    headers[`x-ratelimit-limit-${measure}`] = String(chosen.limit);
    headers[`x-ratelimit-remaining-${measure}`] = String(chosen.remaining);
    headers[`x-ratelimit-reset-${measure}`] = formatResetDuration(chosen.resetMs);
  }
  return headers;
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
    const tokenWindows: { key: string; windowMs: number }[] = [];
    for (const window of windows) if (window.measure === 'tokens') tokenWindows.push({ key: window.key, windowMs: window.windowMs });
    if (windows.length === 0) return { headers: {}, estimatedTokens: input.estimatedInputTokens, tokenWindows, recorded: false };
    const impossible = tooLarge(windows);
    if (impossible) throw impossible;
    // A planned window is a WindowInput with names for messages; the state reads only its own fields.
    const batch = await this.state.consumeAll(windows);
    const headers = headersFor(windows, batch.windows);
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
