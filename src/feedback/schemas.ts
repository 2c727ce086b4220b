/** The shapes of feedback as clients send it; the server and the CLI parse with these. */
import { z } from 'zod';

/** Names of scores and queues: short, no spaces, so they read well in URLs and filters. */
export const feedbackName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-" (at most 100), starting with a letter or digit');

const text = z.string().min(1).max(100_000);
const common = {
  comment: z.string().max(10_000).optional(),
  author: z.string().min(1).max(200).optional().describe('Who gave it, e.g. your end user id; the key is recorded anyway'),
};

const side = z
  .object({
    trace_id: z.string().min(1).optional().describe("another trace's output"),
    text: text.optional().describe('or the output as text'),
  })
  .strict()
  .refine((value) => (value.trace_id === undefined) !== (value.text === undefined), 'give exactly one of trace_id or text');

/** One piece of feedback, without what it is about (a trace, or a queue item). */
export const feedbackValueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('thumbs'), name: feedbackName.default('thumbs'), value: z.enum(['up', 'down']), ...common }),
  z.object({
    kind: z.literal('score'),
    name: feedbackName.optional().describe('a numeric score definition of the project (a queue may set it)'),
    value: z.number().finite(),
    ...common,
  }),
  z.object({
    kind: z.literal('label'),
    name: feedbackName.optional().describe('a categorical score definition of the project (a queue may set it)'),
    label: z.string().min(1).max(200),
    ...common,
  }),
  z.object({
    kind: z.literal('correction'),
    name: feedbackName.default('correction'),
    correction: text.describe('what the answer should have been'),
    ...common,
  }),
  z.object({
    kind: z.literal('preference'),
    name: feedbackName.default('preference'),
    a: side,
    b: side,
    chosen: z.enum(['a', 'b']),
    ...common,
  }),
]);

export type FeedbackValue = z.infer<typeof feedbackValueSchema>;

/** A score definition's fields, without its name (a route may take the name from its path). */
export const scoreDefinitionFields = z
  .object({
    kind: z.enum(['numeric', 'categorical']),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    categories: z.array(z.string().min(1).max(200)).min(2).max(100).optional(),
    description: z.string().max(2000).optional(),
  })
  .strict();

/** The rules across fields: a range only for numeric scores, distinct categories for categorical ones. */
export function checkScoreDefinition(value: z.infer<typeof scoreDefinitionFields>, context: z.RefinementCtx): void {
  if (value.kind === 'numeric') {
    if (value.categories !== undefined) context.addIssue({ code: 'custom', path: ['categories'], message: 'only for categorical scores' });
    if (value.min !== undefined && value.max !== undefined && value.min > value.max)
      context.addIssue({ code: 'custom', path: ['max'], message: 'must not be below min' });
    return;
  }
  if (value.categories === undefined)
    context.addIssue({ code: 'custom', path: ['categories'], message: 'a categorical score needs categories' });
  else if (new Set(value.categories).size !== value.categories.length)
    context.addIssue({ code: 'custom', path: ['categories'], message: 'categories must be different' });
  if (value.min !== undefined || value.max !== undefined)
    context.addIssue({ code: 'custom', path: ['min'], message: 'only for numeric scores' });
}

export const scoreDefinitionSchema = scoreDefinitionFields.extend({ name: feedbackName }).superRefine(checkScoreDefinition);

export type ScoreDefinitionRequest = z.infer<typeof scoreDefinitionSchema>;
