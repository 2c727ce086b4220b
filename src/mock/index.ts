/**
 * The mock upstream provider: an HTTP server speaking OpenAI's and Anthropic's wire formats, with
 * latency, pacing and failure injection, for tests, benchmarks, demos and offline load tests.
 * Other modules use it only through this file.
 */
export { parseMockProviderArgs } from './args.js';
export { startMockProvider } from './server.js';
export type { MockProvider, MockStats } from './server.js';
export type { FailureOptions, MockProviderOptions } from './options.js';
