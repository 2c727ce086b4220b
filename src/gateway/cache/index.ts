/**
 * The gateway's response cache: exact-match answers for deterministic (or opted-in) requests,
 * replayed as streams when asked, and an opt-in semantic layer on top. Shared across replicas
 * through `SharedState`.
 */
export { cacheConfigSchema, semanticCacheConfigSchema } from './config.js';
export type { CacheConfig, CacheConfigInput, SemanticCacheConfig } from './config.js';
export { canonicalJson } from './canonical-json.js';
export { lastUserText, responseKeyHash, semanticScopeHash } from './cache-key.js';
export type { CacheKeyInput } from './cache-key.js';
export { cachePolicyFrom, decideCaching, defaultCachePolicy, isDeterministic } from './policy.js';
export type { CacheDecision, CacheDecisionReason, CachePolicy, HeaderBag } from './policy.js';
export { ResponseCache } from './response-cache.js';
export type { CacheHit, ResponseCacheOptions, StoreInput, StoreOutcome } from './response-cache.js';
export { replayAsStream } from './replay.js';
export type { ReplayOptions } from './replay.js';
export { StreamCapture } from './stream-capture.js';
export { SemanticCache } from './semantic-cache.js';
export type { EmbedFunction, SemanticCacheOptions, SemanticLookup, SemanticMatch, SemanticProbe } from './semantic-cache.js';
