// The cache's settings are part of the one configuration schema, which lives in core.
export { cacheConfigSchema, semanticCacheConfigSchema } from '../../core/index.js';
export type { CacheConfig, CacheConfigInput, SemanticCacheConfig } from '../../core/index.js';
