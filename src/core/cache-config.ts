/** The `cache:` section of `fener.yaml`, part of the one configuration schema. */
import { z } from 'zod';

const semanticDefaults = { enabled: false, threshold: 0.95, max_entries_per_scope: 200 } as const;

export const semanticCacheConfigSchema = z
  .object({
    /** Answer paraphrases of an earlier question from the cache (opt-in: a near match is not an exact one). */
    enabled: z.boolean().default(semanticDefaults.enabled),
    /** A configured model with the `embeddings` task; only the last user message is embedded. */
    embedding_model: z.string().min(1).optional(),
    /** Cosine similarity at or above which a stored question counts as the same question. */
    threshold: z.number().gt(0).max(1).default(semanticDefaults.threshold),
    /** Newest entries kept per scope (model, project, tools, parameters and conversation prefix). */
    max_entries_per_scope: z.number().int().positive().max(10_000).default(semanticDefaults.max_entries_per_scope),
  })
  .strict()
  .superRefine((semantic, context) => {
    if (semantic.enabled && semantic.embedding_model === undefined) {
      context.addIssue({ code: 'custom', path: ['embedding_model'], message: 'the semantic cache needs an embedding_model' });
    }
  });

export const cacheConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Time to live of a cached answer unless the request asks for another (`x-fener-cache-ttl`). */
    ttl_seconds: z.number().int().positive().default(300),
    /** The longest time to live a request may ask for; longer requests are cut down to it. */
    max_ttl_seconds: z.number().int().positive().default(86_400),
    /** Answers larger than this (serialised) are not stored, so one huge answer cannot crowd out the rest. */
    max_entry_bytes: z.number().int().positive().default(262_144),
    semantic: semanticCacheConfigSchema.default(semanticDefaults),
  })
  .strict()
  .superRefine((cache, context) => {
    if (cache.ttl_seconds > cache.max_ttl_seconds) {
      context.addIssue({ code: 'custom', path: ['ttl_seconds'], message: 'ttl_seconds must not exceed max_ttl_seconds' });
    }
  });

export type CacheConfig = z.output<typeof cacheConfigSchema>;
export type CacheConfigInput = z.input<typeof cacheConfigSchema>;
export type SemanticCacheConfig = CacheConfig['semantic'];
