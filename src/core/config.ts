/**
 * The one configuration schema. `fener.yaml` (or `FENER_CONFIG`) plus environment variables are
 * parsed once at start; a bad field stops start-up with a message that names it.
 */
import { z } from 'zod';
import { cacheConfigSchema } from './cache-config.js';

const providerTypes = ['openai', 'openai-compatible', 'anthropic', 'llama-cpp'] as const;

const providerSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" and "_"'),
    type: z.enum(providerTypes),
    /** Base URL including the version path, e.g. `https://api.openai.com/v1`. */
    base_url: z.url().optional(),
    /** Name of the environment variable that holds the upstream API key. */
    api_key_env: z.string().min(1).optional(),
    /** Extra headers sent upstream with every request. */
    headers: z.record(z.string(), z.string()).default({}),
    timeout_ms: z.number().int().positive().default(600_000),
    max_connections: z.number().int().positive().default(256),
    /** llama-cpp: path of the GGUF file. */
    model_path: z.string().min(1).optional(),
    /** llama-cpp: CPU threads for inference (llama.cpp is far slower with too many on small machines). */
    threads: z.number().int().positive().optional(),
    /** llama-cpp: context size in tokens. */
    context_size: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((provider, context) => {
    if (provider.type === 'llama-cpp' && provider.model_path === undefined) {
      context.addIssue({ code: 'custom', path: ['model_path'], message: 'a llama-cpp provider needs model_path' });
    }
    if (provider.type === 'openai-compatible' && provider.base_url === undefined) {
      context.addIssue({ code: 'custom', path: ['base_url'], message: 'an openai-compatible provider needs base_url' });
    }
  });

const priceSchema = z
  .object({
    input_per_mtok: z.number().nonnegative().default(0),
    output_per_mtok: z.number().nonnegative().default(0),
    cached_input_per_mtok: z.number().nonnegative().optional(),
  })
  .strict();

export const modelTasks = ['chat', 'embeddings'] as const;

const modelSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / -'),
    provider: z.string().min(1),
    /** The model id the upstream knows; defaults to `name`. */
    upstream_model: z.string().min(1).optional(),
    price: priceSchema.default({ input_per_mtok: 0, output_per_mtok: 0 }),
    context_window: z.number().int().positive().optional(),
    max_output_tokens: z.number().int().positive().optional(),
    licence: z.string().optional(),
    tasks: z.array(z.enum(modelTasks)).min(1).default(['chat']),
    /** Requests and tokens per minute for this model, across all keys. */
    limits: z.object({ rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() }).strict().optional(),
  })
  .strict();

/** What makes a model group move on to its next target. */
export const fallbackTriggers = ['timeout', 'connection', 'context_length', 'malformed'] as const;

const targetSchema = z.union([
  z.string().min(1),
  z
    .object({
      model: z.string().min(1),
      weight: z.number().positive().default(1),
      /** Whole-call limit for this target. */
      timeout_ms: z.number().int().positive().optional(),
      /** A stream must send its first token within this time, or the next target is tried. */
      ttft_timeout_ms: z.number().int().positive().optional(),
    })
    .strict(),
]);

export const groupSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / -'),
    strategy: z.enum(['fallback', 'weighted', 'least-latency', 'least-busy', 'lowest-cost']).default('fallback'),
    targets: z.array(targetSchema).min(1),
    retries: z
      .object({
        /** Extra attempts on the same target for retryable errors (429, 5xx, timeouts, resets). */
        attempts: z.number().int().min(0).max(10).default(1),
        base_delay_ms: z.number().int().nonnegative().default(100),
        max_delay_ms: z.number().int().nonnegative().default(4000),
      })
      .strict()
      .default({ attempts: 1, base_delay_ms: 100, max_delay_ms: 4000 }),
    /** HTTP statuses and conditions that send a call on to the next target. */
    fallback_on: z
      .array(z.union([z.number().int().min(400).max(599), z.enum(fallbackTriggers)]))
      .default([429, 500, 502, 503, 504, 'timeout', 'connection', 'context_length', 'malformed']),
    timeout_ms: z.number().int().positive().optional(),
    ttft_timeout_ms: z.number().int().positive().optional(),
    circuit_breaker: z
      .object({
        /** Consecutive failures that open the circuit of a target. */
        failure_threshold: z.number().int().positive().default(5),
        /** How long an open circuit refuses calls before one probe is let through. */
        open_ms: z.number().int().positive().default(30_000),
      })
      .strict()
      .default({ failure_threshold: 5, open_ms: 30_000 }),
  })
  .strict();

const tracingSchema = z
  .object({
    /** Store request and response bodies with each trace. */
    capture_bodies: z.boolean().default(true),
    /** Records held in memory before back-pressure drops (and counts) new ones. */
    queue_limit: z.number().int().positive().default(50_000),
    batch_size: z.number().int().positive().default(500),
    flush_interval_ms: z.number().int().positive().default(250),
  })
  .strict();

const serverSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(4000),
    /** Largest accepted request body, in bytes (default 10 MiB). */
    body_limit_bytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    /** Largest streamed upload (dataset imports), in bytes (default 1 GiB); `FENER_UPLOAD_LIMIT_BYTES`. */
    upload_limit_bytes: z
      .number()
      .int()
      .positive()
      .default(1024 ** 3),
    /** How long a shutdown waits for in-flight requests before closing them. */
    shutdown_grace_ms: z.number().int().nonnegative().default(10_000),
  })
  .strict();

export const configSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    data_dir: z.string().min(1).default('./.fener'),
    database_url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
      .optional(),
    redis_url: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis://')
      .optional(),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    providers: z.array(providerSchema).default([]),
    models: z.array(modelSchema).default([]),
    /** Model groups: one name, several targets, with a routing strategy, retries and fallbacks. */
    groups: z.array(groupSchema).default([]),
    tracing: tracingSchema.default(tracingSchema.parse({})),
    /** Response cache (exact match, and opt-in semantic). */
    cache: cacheConfigSchema.default(cacheConfigSchema.parse({})),
  })
  .strict()
  .superRefine((config, context) => {
    const providerIds = new Set<string>();
    config.providers.forEach((provider, index) => {
      if (providerIds.has(provider.id)) {
        context.addIssue({ code: 'custom', path: ['providers', index, 'id'], message: `duplicate provider id "${provider.id}"` });
      }
      providerIds.add(provider.id);
    });
    const modelNames = new Set<string>();
    config.models.forEach((model, index) => {
      if (!providerIds.has(model.provider)) {
        context.addIssue({
          code: 'custom',
          path: ['models', index, 'provider'],
          message: `unknown provider "${model.provider}" (declared: ${[...providerIds].join(', ') || 'none'})`,
        });
      }
      if (modelNames.has(model.name)) {
        context.addIssue({ code: 'custom', path: ['models', index, 'name'], message: `duplicate model name "${model.name}"` });
      }
      modelNames.add(model.name);
    });
    checkGroups(config.groups, modelNames, context);
    const embedding = config.cache.semantic.enabled ? config.cache.semantic.embedding_model : undefined;
    const embeddingModel = config.models.find((model) => model.name === embedding);
    if (embedding !== undefined && !embeddingModel?.tasks.includes('embeddings')) {
      context.addIssue({
        code: 'custom',
        path: ['cache', 'semantic', 'embedding_model'],
        message: `"${embedding}" is not a configured model with the embeddings task`,
      });
    }
  });

type GroupInput = z.infer<typeof groupSchema>;

/** Group names must be new, targets must exist, and no group may reach itself (a fallback loop). */
function checkGroups(groups: GroupInput[], modelNames: Set<string>, context: z.RefinementCtx): void {
  const byName = new Map(groups.map((group) => [group.name, group]));
  groups.forEach((group, index) => {
    if (modelNames.has(group.name)) {
      context.addIssue({ code: 'custom', path: ['groups', index, 'name'], message: `"${group.name}" is already a model name` });
    }
    group.targets.forEach((target, targetIndex) => {
      const name = typeof target === 'string' ? target : target.model;
      if (!modelNames.has(name) && !byName.has(name)) {
        context.addIssue({
          code: 'custom',
          path: ['groups', index, 'targets', targetIndex],
          message: `unknown target "${name}" (not a model or group)`,
        });
      }
    });
    const loop = findLoop(group.name, byName, []);
    if (loop) context.addIssue({ code: 'custom', path: ['groups', index, 'targets'], message: `fallback loop: ${loop.join(' → ')}` });
  });
}

function findLoop(name: string, groups: Map<string, GroupInput>, path: string[]): string[] | undefined {
  if (path.includes(name)) return [...path, name];
  const group = groups.get(name);
  if (!group) return undefined;
  for (const target of group.targets) {
    const loop = findLoop(typeof target === 'string' ? target : target.model, groups, [...path, name]);
    if (loop) return loop;
  }
  return undefined;
}

export type FenerConfig = z.infer<typeof configSchema>;
export type ProviderConfig = FenerConfig['providers'][number];
export type ModelConfig = FenerConfig['models'][number];
export type GroupConfig = FenerConfig['groups'][number];
export type FallbackTrigger = (typeof fallbackTriggers)[number];
export type ModelPrice = ModelConfig['price'];
export type ModelTask = (typeof modelTasks)[number];
export type FenerConfigInput = z.input<typeof configSchema>;
export { providerSchema, modelSchema };
