/**
 * The experiment definition: what `eval.yaml` holds and what `POST /api/evals/runs` takes. One zod
 * schema, here rather than in `evals` so that the SDK (which may import only core) types a run's
 * definition from it instead of keeping a copy; it needs nothing but zod, so the browser SDK can
 * take its types too (through contracts.ts).
 */
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-" (at most 100)');

/** Model parameters a variant or judge may set; the names and types of OpenAI's chat request. */
export const variantParametersSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  stop: z.array(z.string()).max(4).optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  response_format: z
    .union([
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({
        type: z.literal('json_schema'),
        json_schema: z.looseObject({
          name: z.string(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().optional(),
        }),
      }),
    ])
    .optional(),
});
export type VariantParameters = z.infer<typeof variantParametersSchema>;

export const variantSchema = z
  .strictObject({
    name: name.optional().describe('How results, gates and comparisons name this variant (default: from model or prompt)'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe('Any gateway model name: a model, a group, prompt:NAME@LABEL, deployment:NAME, registry:NAME@ALIAS'),
    prompt: z.string().min(1).optional().describe('A managed prompt version, NAME@LABEL or NAME@VERSION (the prompt sets the model)'),
    parameters: variantParametersSchema.default({}),
    variables: z.record(z.string(), z.unknown()).optional().describe("Prompt variables added under each item's own"),
  })
  .refine((variant) => (variant.model === undefined) !== (variant.prompt === undefined), 'give exactly one of model or prompt');
export type VariantInput = z.input<typeof variantSchema>;

export const metricSpecSchema = z.union([
  z
    .string()
    .min(1)
    .transform((metric) => ({ metric, options: {} as Record<string, unknown> })),
  z.strictObject({ metric: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }),
]);
export type MetricSpec = z.output<typeof metricSpecSchema>;
export type MetricSpecInput = z.input<typeof metricSpecSchema>;

export const judgeSchema = z.strictObject({
  name,
  model: z.string().min(1).describe('Any gateway model name'),
  rubric: z.string().min(1).describe('The instructions; {{input}}, {{output}} and {{expected}} are replaced per item'),
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema of the verdict, sent as response_format json_schema'),
  score_field: z.string().min(1).default('score').describe('The verdict field holding the numeric score'),
  repeats: z.number().int().min(1).max(20).default(1).describe('Runs per item; >1 reports the variance of the judge'),
  parameters: variantParametersSchema.default({}),
});
export type JudgeDefinition = z.output<typeof judgeSchema>;
export type JudgeInput = z.input<typeof judgeSchema>;

const itemSchemaSource = z.union([
  z.strictObject({ file: z.string().min(1).describe('JSONL file, one item per line, relative to the eval.yaml') }),
  z.strictObject({ items: z.array(z.unknown()).min(1).describe('Items given inline') }),
  z.strictObject({ dataset: z.string().min(1).describe('NAME@VERSION[:split] of a stored dataset (VERSION a number or latest)') }),
]);

export const experimentSchema = z.strictObject({
  name: name.describe('The experiment; runs of the same name are compared over time'),
  dataset: itemSchemaSource,
  variants: z.array(variantSchema).min(1),
  metrics: z.array(metricSpecSchema).default([]),
  judges: z.array(judgeSchema).default([]),
  concurrency: z.number().int().min(1).max(256).default(8),
  retries: z.number().int().min(0).max(10).default(3).describe('Retries of a retryable failure (429, 5xx, timeouts) per call'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  bootstrap: z
    .strictObject({ iterations: z.number().int().min(100).max(100_000).default(1000), confidence: z.number().gt(0).lt(1).default(0.95) })
    .default({
      iterations: 1000,
      confidence: 0.95,
    }),
  limit: z.number().int().positive().optional().describe('Use only the first N items'),
  gates: z.array(z.string()).default([]).describe('Gates checked after the run, as --gate'),
});
export type ExperimentDefinition = z.output<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;
