/**
 * The one mapping from what an upstream did wrong to a `FenerError`. OpenAI-compatible servers and
 * Anthropic share it: both send an HTTP status plus a JSON body naming the error, and both can
 * fail at the transport level (refused, reset, timed out).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { FenerError } from '../../core/index.js';

/** The error bodies seen in the wild: OpenAI's, Anthropic's, and the looser ones of compatible servers. */
const errorBodySchema = z.union([
  z.object({
    error: z.object({
      message: z.string().nullish(),
      type: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      param: z.string().nullish(),
    }),
  }),
  z.object({ error: z.string() }),
  z.object({ message: z.string() }),
  z.object({ detail: z.string() }),
]);

export interface UpstreamErrorDetail {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
}

/** Reads the upstream's own words out of an error body, whatever its dialect. */
export function parseErrorBody(text: string): UpstreamErrorDetail {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const trimmed = text.trim().slice(0, 500);
    return { message: trimmed === '' ? undefined : trimmed, type: undefined, code: undefined };
  }
  return errorDetail(json);
}

/** Like `parseErrorBody`, for JSON already parsed (an error event inside a stream). */
export function errorDetail(json: unknown): UpstreamErrorDetail {
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return { message: undefined, type: undefined, code: undefined };
  const body = parsed.data;
  if ('error' in body) {
    if (typeof body.error === 'string') return { message: body.error, type: undefined, code: undefined };
    const code = body.error.code;
    return {
      message: body.error.message ?? undefined,
      type: body.error.type ?? undefined,
      code: code === null || code === undefined ? undefined : String(code),
    };
  }
  return { message: 'message' in body ? body.message : body.detail, type: undefined, code: undefined };
}

/** The status an error `type` stands for, for errors that arrive inside a 200 stream. */
const statusByErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  api_error: 500,
  server_error: 500,
  overloaded_error: 529,
  timeout_error: 504,
};

export function statusOfErrorType(type: string | undefined, code: string | undefined): number {
  return statusByErrorType[code ?? ''] ?? statusByErrorType[type ?? ''] ?? 500;
}

const contextLengthMessage = /maximum context length|context window|prompt is too long|too many tokens/i;

/** Seconds from `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, rounded up. */
export function retryAfterSeconds(headers: IncomingHttpHeaders): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (Number.isFinite(milliseconds) && milliseconds > 0) return Math.ceil(milliseconds / 1000);
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export interface StatusErrorInput {
  status: number;
  detail: UpstreamErrorDetail;
  /** Who answered, e.g. `provider "openai"`; named in every message. */
  upstream: string;
  retryAfterSeconds?: number;
}

/** Maps an upstream HTTP status (and its error body) to our catalogue. */
export function statusError(input: StatusErrorInput): FenerError {
  const { status, detail, upstream } = input;
  const said = detail.message === undefined ? '' : `: ${detail.message}`;
  const options = { upstreamStatus: status };
  if (status === 400 || status === 422) {
    const tooLong = detail.code === 'context_length_exceeded' || contextLengthMessage.test(detail.message ?? '');
    const code = tooLong ? 'context_length_exceeded' : 'invalid_request';
    return new FenerError(code, `${upstream} rejected the request (HTTP ${status})${said}`, options);
  }
  if (status === 401 || status === 403) {
    // Never a 401 to our client: the credentials at fault are the provider's, not the caller's.
    // Not retryable on the same provider; routing may still fall back to another one.
    const message = `${upstream} rejected the provider's credentials (HTTP ${status})${redactKeys(said)}`;
    return new FenerError('upstream_error', message, { ...options, retryable: false });
  }
  if (status === 404) return new FenerError('model_not_found', `${upstream} answered not found (HTTP 404)${said}`, options);
  if (status === 413) return new FenerError('payload_too_large', `${upstream} found the request too large${said}`, options);
  if (status === 429) {
    const retry = input.retryAfterSeconds;
    const message = `${upstream} is rate limiting requests (HTTP 429)${said}`;
    return new FenerError('rate_limited', message, {
      ...options,
      retryable: true,
      ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
    });
  }
  if (status === 503 || status === 529) {
    return new FenerError('upstream_unavailable', `${upstream} is unavailable (HTTP ${status})${said}`, options);
  }
  if (status === 504 || status === 408) {
    return new FenerError('upstream_timeout', `${upstream} timed out (HTTP ${status})${said}`, options);
  }
  if (status >= 400 && status < 500) {
    return new FenerError('invalid_request', `${upstream} rejected the request (HTTP ${status})${said}`, options);
  }
  return new FenerError('upstream_error', `${upstream} failed (HTTP ${status})${said}`, options);
}

/**
 * Upstreams quote part of a rejected key ("Incorrect API key provided: sk-proj-****wxyz"); that is
 * our secret, so key-like words are masked before the message can reach a client.
 */
function redactKeys(text: string): string {
  return text.replace(/\b(?:sk|key|api|gsk|xai|pk)[-_][\w*.-]{4,}/gi, '[redacted]');
}

/** Node and undici error codes that mean "could not reach the upstream". */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return 'cause' in error ? errorCode(error.cause) : undefined;
}

/** Maps a failure below HTTP (refused, reset, undici's own timeouts) to our catalogue. */
export function transportError(error: unknown, upstream: string): FenerError {
  if (error instanceof FenerError) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code !== undefined && timeoutCodes.has(code)) {
    return new FenerError('upstream_timeout', `${upstream} timed out (${code}): ${reason}`, { cause: error });
  }
  if (code !== undefined && unreachableCodes.has(code)) {
    return new FenerError('upstream_unavailable', `${upstream} could not be reached (${code}): ${reason}`, { cause: error });
  }
  return new FenerError('upstream_error', `${upstream} failed: ${reason}`, { cause: error });
}
