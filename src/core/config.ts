/**
 * The one configuration schema. `fener.yaml` (or `FENER_CONFIG`) plus environment variables are
 * parsed once at start; a bad field stops start-up with a message that names it.
 */
import { z } from 'zod';

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
    tracing: tracingSchema.default(tracingSchema.parse({})),
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
  });

export type FenerConfig = z.infer<typeof configSchema>;
export type ProviderConfig = FenerConfig['providers'][number];
export type ModelConfig = FenerConfig['models'][number];
export type ModelPrice = ModelConfig['price'];
export type ModelTask = (typeof modelTasks)[number];
export type FenerConfigInput = z.input<typeof configSchema>;
export { providerSchema, modelSchema };
