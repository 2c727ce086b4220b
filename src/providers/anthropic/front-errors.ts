/**
 * Anthropic-shaped errors for the gateway's `/v1/messages` route: the body
 * `{"type":"error","error":{"type","message"}}`, and the same as an SSE `error` event.
 */
import type { ErrorCode, FenerError } from '../../core/index.js';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error `type` for each of our codes (the HTTP status stays the catalogue's). */
const anthropicErrorTypes: Record<ErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  invalid_json: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  model_not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  conflict: 'invalid_request_error',
  payload_too_large: 'request_too_large',
  unsupported_media_type: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  budget_exceeded: 'rate_limit_error',
  internal: 'api_error',
  upstream_error: 'api_error',
  upstream_unavailable: 'overloaded_error',
  upstream_timeout: 'timeout_error',
  unavailable: 'overloaded_error',
};

export function toAnthropicErrorBody(error: FenerError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorTypes[error.code], message: error.message } };
}

/** An error after the stream has started, as Anthropic sends it. */
export function anthropicErrorEvent(error: FenerError): string {
  return `event: error\ndata: ${JSON.stringify(toAnthropicErrorBody(error))}\n\n`;
}
