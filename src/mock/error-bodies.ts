/**
 * The two error JSON shapes the mock speaks: OpenAI's on `/v1/chat/completions`, `/v1/embeddings`
 * and `/v1/models`, Anthropic's on `/v1/messages`. Clients parse these to build their typed
 * errors, so the shapes must match the providers' exactly.
 */
import { STATUS_CODES } from 'node:http';

export type Dialect = 'openai' | 'anthropic';

export interface ErrorDetails {
  status: number;
  message: string;
  /** OpenAI's `param`: the request field at fault. */
  param?: string | null;
  /** OpenAI's `code`, e.g. `missing_required_parameter`. */
  code?: string | null;
}

function openAIType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function openAICode(status: number): string | null {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401) return 'invalid_api_key';
  return null;
}

const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

function anthropicType(status: number): string {
  return anthropicTypes[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** `{"error":{"message","type","param","code"}}` or `{"type":"error","error":{"type","message"}}`. */
export function errorBody(dialect: Dialect, details: ErrorDetails): string {
  if (dialect === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: anthropicType(details.status), message: details.message } });
  }
  return JSON.stringify({
    error: {
      message: details.message,
      type: openAIType(details.status),
      param: details.param ?? null,
      code: details.code === undefined ? openAICode(details.status) : details.code,
    },
  });
}

/** The body of an injected error says it was injected, so nobody debugs a real outage that isn't. */
export function injectedErrorBody(dialect: Dialect, status: number): string {
  const reason = STATUS_CODES[status] ?? 'Error';
  return errorBody(dialect, { status, message: `${reason} (injected by the Fener mock provider)` });
}
