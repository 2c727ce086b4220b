/**
 * The mock provider's options: the public types, the one schema that validates them wherever they
 * come from (code, `POST /_mock/config`, the CLI), and the defaults.
 */
import { z } from 'zod';

/** Probabilities from 0 to 1, decided per request by the seeded generator. */
export interface FailureOptions {
  /** Share of requests answered with `errorStatus` in the provider's error JSON shape. */
  errorRate?: number;
  /** Status of injected errors (default 500). */
  errorStatus?: number;
  /** Share of requests accepted and never answered, until the client gives up. */
  timeoutRate?: number;
  /** Share of requests whose socket is destroyed without an answer. */
  resetRate?: number;
  /** Share of streamed requests whose socket is destroyed after `cutAfterTokens` tokens. */
  cutStreamRate?: number;
  /** Tokens sent before a cut stream is destroyed (default 3). */
  cutAfterTokens?: number;
  /** Share of requests answered 200 with invalid JSON, or a stream with a broken data line. */
  malformedRate?: number;
  /** Sent as `Retry-After` with injected 429 and 503 errors. */
  retryAfterSeconds?: number;
}

/**
 * @example { port: 0, seed: 7, ttftMs: 50, tokensPerSecond: 200, failures: { errorRate: 0.1, errorStatus: 503 } }
 */
export interface MockProviderOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4100; 0 picks any free port. */
  port?: number;
  /** Default 1. The same seed and the same request give the same answer and failure sequence. */
  seed?: number;
  /** Delay before a non-streamed response, errors included (default 0). */
  latencyMs?: number;
  /** Delay before the first streamed token (default 0). */
  ttftMs?: number;
  /** Stream pacing; 0 or undefined sends every token at once. */
  tokensPerSecond?: number;
  /** Length of generated answers in tokens (default 16); a request's max tokens caps it. */
  outputTokens?: number;
  failures?: FailureOptions;
}

const rate = z.number().min(0).max(1);
const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

const failureOptionsSchema = z.strictObject({
  errorRate: rate.optional(),
  errorStatus: z.number().int().min(400).max(599).optional(),
  timeoutRate: rate.optional(),
  resetRate: rate.optional(),
  cutStreamRate: rate.optional(),
  cutAfterTokens: count.optional(),
  malformedRate: rate.optional(),
  retryAfterSeconds: nonNegative.optional(),
});

const runtimeFields = {
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  latencyMs: nonNegative.optional(),
  ttftMs: nonNegative.optional(),
  tokensPerSecond: nonNegative.optional(),
  outputTokens: count.optional(),
  failures: failureOptionsSchema.optional(),
};

/** Strict so that a typo (`errorrate`) is reported instead of silently doing nothing. */
export const mockProviderOptionsSchema: z.ZodType<MockProviderOptions> = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  ...runtimeFields,
});

/** What `configure()` and `POST /_mock/config` accept: the listening address cannot move. */
export const runtimeOptionsSchema: z.ZodType<Omit<MockProviderOptions, 'host' | 'port'>> = z.strictObject(runtimeFields);

export interface ResolvedFailures {
  errorRate: number;
  errorStatus: number;
  timeoutRate: number;
  resetRate: number;
  cutStreamRate: number;
  cutAfterTokens: number;
  malformedRate: number;
  retryAfterSeconds: number | undefined;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  seed: number;
  latencyMs: number;
  ttftMs: number;
  tokensPerSecond: number;
  outputTokens: number;
  failures: ResolvedFailures;
}

export const defaultOptions: ResolvedOptions = {
  host: '127.0.0.1',
  port: 4100,
  seed: 1,
  latencyMs: 0,
  ttftMs: 0,
  tokensPerSecond: 0,
  outputTokens: 16,
  failures: {
    errorRate: 0,
    errorStatus: 500,
    timeoutRate: 0,
    resetRate: 0,
    cutStreamRate: 0,
    cutAfterTokens: 3,
    malformedRate: 0,
    retryAfterSeconds: undefined,
  },
};

/** Reports the first problem with the option's path, e.g. `failures.errorRate: Too big: …`. */
export function formatOptionsError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid mock provider options';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Layers partial options over resolved ones. `failures` merges field by field, so a test can start
 * a burst with `{failures: {errorRate: 1}}` and end it with `{failures: {errorRate: 0}}`.
 */
export function mergeOptions(base: ResolvedOptions, patch: MockProviderOptions): ResolvedOptions {
  const failures = patch.failures ?? {};
  return {
    host: patch.host ?? base.host,
    port: patch.port ?? base.port,
    seed: patch.seed ?? base.seed,
    latencyMs: patch.latencyMs ?? base.latencyMs,
    ttftMs: patch.ttftMs ?? base.ttftMs,
    tokensPerSecond: patch.tokensPerSecond ?? base.tokensPerSecond,
    outputTokens: patch.outputTokens ?? base.outputTokens,
    failures: {
      errorRate: failures.errorRate ?? base.failures.errorRate,
      errorStatus: failures.errorStatus ?? base.failures.errorStatus,
      timeoutRate: failures.timeoutRate ?? base.failures.timeoutRate,
      resetRate: failures.resetRate ?? base.failures.resetRate,
      cutStreamRate: failures.cutStreamRate ?? base.failures.cutStreamRate,
      cutAfterTokens: failures.cutAfterTokens ?? base.failures.cutAfterTokens,
      malformedRate: failures.malformedRate ?? base.failures.malformedRate,
      retryAfterSeconds: failures.retryAfterSeconds ?? base.failures.retryAfterSeconds,
    },
  };
}
