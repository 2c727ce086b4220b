/**
 * What the other remote adapters (Anthropic) reuse from this base: the pooled HTTP client, the
 * SSE decoder, the one upstream error mapping and the zod helpers. Kept in one place so that a
 * second adapter never grows a near-copy of any of it.
 */
export { UpstreamCall, UpstreamClient } from './http-client.js';
export type { UpstreamClientOptions, UpstreamResponse } from './http-client.js';
export { SseDecoder, readSse } from './sse.js';
export type { SseEvent } from './sse.js';
export { errorDetail, parseErrorBody, retryAfterSeconds, statusError, statusOfErrorType, transportError } from './upstream-errors.js';
export type { StatusErrorInput, UpstreamErrorDetail } from './upstream-errors.js';
export { apiKeyFromEnv } from './api-key.js';
export type { ApiKeyOptions } from './api-key.js';
export { formatParam, invalidBody, optionalField, requireObject, summarizeIssues, unmodelledFields } from './body-parsing.js';
export type { IssueSummary } from './body-parsing.js';
