/**
 * What a canary is asked to do, as one zod schema: the variants and their shares, the sticky key,
 * and the analysis (alpha, minimum samples, signals, automatic decisions). Parsed at the API edge
 * and again when read back from the store.
 */
import { z } from 'zod';
import { deploymentParametersSchema } from '../parameters.js';

const variantName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'use a-z, 0-9, "_" and "-", starting with a letter (at most 32)');

export const variantSpecSchema = z
  .object({
    prompt: z.string().min(1).nullable().optional().describe('A prompt reference, e.g. support-reply@canary'),
    model: z.string().min(1).describe('A configured model or group name, or registry:NAME@ALIAS'),
    parameters: deploymentParametersSchema.optional(),
    fallbacks: z.array(z.string().min(1)).max(10).optional(),
  })
  .strict();

export const variantInputSchema = z
  .object({
    name: variantName,
    percent: z.number().min(0).max(100).describe('Share of traffic; all variants add up to 100'),
    version: z.number().int().positive().optional().describe('An existing deployment version'),
    spec: variantSpecSchema.optional().describe('A new spec, stored as a candidate deployment version'),
  })
  .strict()
  .refine((variant) => variant.version === undefined || variant.spec === undefined, 'give a version or a spec, not both');

const marginSchema = z.number().min(0).max(1);

export const analysisSchema = z
  .object({
    alpha: z.number().gt(0).max(0.5).default(0.05).describe('Type-I error of every test; harm tests share it (Bonferroni)'),
    tau: z.number().gt(0).max(1).default(0.05).describe('Mixing standard deviation: the difference in rates the test is tuned for'),
    min_samples: z.number().int().min(10).default(200).describe('Per variant and signal, before any test is read'),
    max_samples: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('Requests on a challenger after which an undecided canary is rolled back; null runs until decided'),
    auto_promote: z.boolean().default(true),
    auto_rollback: z.boolean().default(true),
    error_rate: z
      .object({ enabled: z.boolean().default(true), margin: marginSchema.default(0.02) })
      .strict()
      .default({ enabled: true, margin: 0.02 })
      .describe('Share of calls that fail (client disconnects aside); margin: the largest increase still promoted'),
    latency: z
      .object({
        enabled: z.boolean().default(true),
        margin: marginSchema.default(0.05),
        quantile: z.number().gt(0.5).lt(1).default(0.95),
        threshold_ms: z.number().positive().optional().describe('Fixed bound; default: the baseline quantile after warm-up'),
      })
      .strict()
      .default({ enabled: true, margin: 0.05, quantile: 0.95 })
      .describe('Share of successful calls slower than the baseline p95 (fixed after min_samples baseline calls)'),
    scores: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
        z
          .object({ bad_below: z.number().default(0.5), margin: marginSchema.default(0.05) })
          .strict()
          .describe('A posted score (feedback, evaluator) below bad_below counts as a bad outcome'),
      )
      .default({})
      .describe('Score sources fed through POST /api/deployments/NAME/canary/signals'),
  })
  .strict();

export type CanaryAnalysis = z.output<typeof analysisSchema>;

export const canaryStartSchema = z
  .object({
    variants: z.array(variantInputSchema).min(2).max(5),
    baseline: variantName.optional().describe('The variant the others are compared with (default: the one with neither version nor spec)'),
    analysis: analysisSchema.default(analysisSchema.parse({})),
  })
  .strict();

export type CanaryStartInput = z.input<typeof canaryStartSchema>;
export type CanaryStart = z.output<typeof canaryStartSchema>;
