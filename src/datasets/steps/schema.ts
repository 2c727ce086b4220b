/**
 * The preparation steps a pipeline may declare, one zod schema each (the `step` field picks it).
 * Parameters are recorded with the version a step produces, defaults filled in, so lineage
 * always says exactly what ran.
 */
import { z } from 'zod';
import { piiTypes, redactionModes } from '../../pii/index.js';
import { ratioMessage, ratiosAddUp, splitShape } from '../splits.js';

const normalize = z
  .object({
    step: z.literal('normalize'),
    form: z.enum(['NFC', 'NFKC']).default('NFKC').describe('Unicode normalisation form'),
    whitespace: z
      .boolean()
      .default(true)
      .describe('collapse runs of spaces, trim lines, at most one blank line, drop zero-width characters'),
  })
  .strict();

const dedupe = z
  .object({
    step: z.literal('dedupe'),
    scope: z.enum(['input', 'input+output']).default('input+output').describe('what must be equal for two items to be duplicates'),
  })
  .strict();

const nearDedupe = z
  .object({
    step: z.literal('near_dedupe'),
    bands: z.number().int().min(1).max(64).default(8),
    rows: z.number().int().min(1).max(32).default(8),
    shingle: z.enum(['word', 'char']).default('word'),
    size: z.number().int().min(1).max(32).default(3),
    seed: z.number().int().default(1),
  })
  .strict();

const length = z
  .object({
    step: z.literal('length'),
    field: z.enum(['input', 'expected', 'all']).default('all'),
    min_chars: z.number().int().nonnegative().optional(),
    max_chars: z.number().int().positive().optional(),
    min_tokens: z.number().int().nonnegative().optional(),
    max_tokens: z.number().int().positive().optional(),
  })
  .strict()
  .refine((step) => [step.min_chars, step.max_chars, step.min_tokens, step.max_tokens].some((bound) => bound !== undefined), {
    message: 'give at least one of min_chars, max_chars, min_tokens, max_tokens',
  });

const language = z
  .object({
    step: z.literal('language'),
    allow: z.array(z.string().regex(/^[a-z]{3}$/, 'an ISO 639-3 code such as eng, tur, deu')).min(1),
    /** Texts shorter than this are `und` (undetermined): too short to tell. */
    min_length: z.number().int().min(1).default(20),
    keep_undetermined: z.boolean().default(true),
  })
  .strict();

const pii = z
  .object({
    step: z.literal('pii'),
    mode: z.enum(redactionModes).default('mask'),
    types: z.array(z.enum(piiTypes)).min(1).optional(),
    /** Key of `hash` pseudonyms; recorded in lineage as a fingerprint, never in clear. */
    salt: z.string().min(1).optional(),
  })
  .strict();

const template = z
  .object({
    step: z.literal('template'),
    prompt: z.string().min(1),
    label: z.string().min(1).optional(),
    version: z.number().int().positive().optional(),
    on_error: z.enum(['fail', 'drop']).default('fail').describe('an item whose variables do not fit the template'),
  })
  .strict()
  .refine((step) => step.label === undefined || step.version === undefined, { message: 'give label or version, not both' });

const split = z
  .object({ step: z.literal('split'), ...splitShape })
  .strict()
  .refine(ratiosAddUp, ratioMessage);

/** Step name → its schema; a pipeline is parsed step by step so errors name the step's field. */
export const stepSchemas = {
  normalize,
  dedupe,
  near_dedupe: nearDedupe,
  length,
  language,
  pii,
  template,
  split,
} as const;

export type StepName = keyof typeof stepSchemas;
export type StepDefinition = { [Name in StepName]: z.infer<(typeof stepSchemas)[Name]> }[StepName];
export type StepOf<Name extends StepName> = z.infer<(typeof stepSchemas)[Name]>;
export const stepNames = Object.keys(stepSchemas) as StepName[];

/** For OpenAPI: one of the steps, whichever. */
export const stepSchema = z.union([normalize, dedupe, nearDedupe, length, language, pii, template, split]);

export interface Pipeline {
  steps: StepDefinition[];
}
