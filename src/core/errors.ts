/**
 * One error type for all of Fener. Every failure that can reach a client is a `FenerError`
 * with a `code` from this closed catalogue; the catalogue alone decides the HTTP status and
 * the OpenAI error `type`, so the two wire shapes (`/api` and `/v1`) never disagree.
 */
export const errorCatalogue = {
  invalid_request: { status: 400, openaiType: 'invalid_request_error' },
  invalid_json: { status: 400, openaiType: 'invalid_request_error' },
  unauthorized: { status: 401, openaiType: 'invalid_request_error' },
  forbidden: { status: 403, openaiType: 'permission_error' },
  not_found: { status: 404, openaiType: 'invalid_request_error' },
  model_not_found: { status: 404, openaiType: 'invalid_request_error' },
  method_not_allowed: { status: 405, openaiType: 'invalid_request_error' },
  conflict: { status: 409, openaiType: 'invalid_request_error' },
  payload_too_large: { status: 413, openaiType: 'invalid_request_error' },
  unsupported_media_type: { status: 415, openaiType: 'invalid_request_error' },
  context_length_exceeded: { status: 400, openaiType: 'invalid_request_error' },
  rate_limited: { status: 429, openaiType: 'requests' },
  budget_exceeded: { status: 429, openaiType: 'insufficient_quota' },
  internal: { status: 500, openaiType: 'server_error' },
  upstream_error: { status: 502, openaiType: 'server_error' },
  upstream_unavailable: { status: 503, openaiType: 'server_error' },
  upstream_timeout: { status: 504, openaiType: 'server_error' },
  unavailable: { status: 503, openaiType: 'server_error' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FenerErrorOptions {
  /** The request field at fault, reported as OpenAI's `param`. */
  param?: string;
  /** Whether the same request may succeed if tried again (rate limits, 5xx, timeouts). */
  retryable?: boolean;
  /** Seconds a client should wait before retrying; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** The HTTP status an upstream answered with, when the error came from one. */
  upstreamStatus?: number;
  /**
   * Response headers the error boundary sends with the error, e.g. the `x-ratelimit-*` headers
   * of a 429, so a refused client sees the same limits as an admitted one.
   */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class FenerError extends Error {
  override readonly name = 'FenerError';
  readonly code: ErrorCode;
  readonly param: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly upstreamStatus: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options: FenerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.param = options.param;
    this.retryable = options.retryable ?? defaultRetryable(code);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.upstreamStatus = options.upstreamStatus;
    this.headers = options.headers;
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }
}

function defaultRetryable(code: ErrorCode): boolean {
  return (
    code === 'rate_limited' ||
    code === 'upstream_error' ||
    code === 'upstream_unavailable' ||
    code === 'upstream_timeout' ||
    code === 'unavailable'
  );
}

export function isFenerError(error: unknown): error is FenerError {
  return error instanceof FenerError;
}

/** The `/api/*` error body: `{"error": {"code", "message", "request_id"}}`. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; param?: string };
}

/** The `/v1/*` error body, exactly as OpenAI sends it. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function toApiErrorBody(error: FenerError, requestId: string): ApiErrorBody {
  const body: ApiErrorBody = { error: { code: error.code, message: error.message, request_id: requestId } };
  if (error.param !== undefined) body.error.param = error.param;
  return body;
}

/** OpenAI's own `code` strings where they differ from ours (clients switch on them). */
const openaiCodes: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'invalid_api_key',
  rate_limited: 'rate_limit_exceeded',
  budget_exceeded: 'insufficient_quota',
};

export function toOpenAIErrorBody(error: FenerError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: errorCatalogue[error.code].openaiType,
      param: error.param ?? null,
      code: openaiCodes[error.code] ?? error.code,
    },
  };
}
