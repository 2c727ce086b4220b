/**
 * The Anthropic Messages API: the upstream adapter, and the front wire for the gateway's
 * `POST /v1/messages` route.
 */
export { anthropicVersion, createAnthropicProvider } from './provider.js';
export type { AnthropicSettings } from './provider.js';
export { anthropicBaseUrl, anthropicDefaultMaxTokens, anthropicSettings, createAnthropicProviderFromConfig } from './anthropic.js';
export { parseAnthropicMessagesBody } from './front-parse.js';
export type { ParsedMessagesBody } from './front-parse.js';
export { chatResultToAnthropic } from './front-encode.js';
export type { AnthropicMessageBody } from './front-encode.js';
export { AnthropicStreamEncoder } from './front-stream-encoder.js';
export type { AnthropicStreamEncoderOptions } from './front-stream-encoder.js';
export { anthropicErrorEvent, toAnthropicErrorBody } from './front-errors.js';
export type { AnthropicErrorBody } from './front-errors.js';
