/**
 * What a prompt is, as one zod schema: chat messages with `{{variable}}` placeholders, typed
 * variables, model parameters and tools. The API, the CLI's files and the stored versions are all
 * parsed with it, so the three cannot disagree about what is valid.
 */
import { z } from 'zod';
import { FenerError, matchesType, placeholderPattern, variableTypes, type VariableType } from '../core/index.js';
import type { PromptDocument } from '../store/index.js';

/** `support-reply`, `greet.v2`: letters, digits, `.`, `_`, `-` (no `@` or `:`, which the gateway name uses). */
export const promptNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** `production`, `staging`, `canary-eu`: starts with a letter, so `@3` always means a version. */
export const labelPattern = /^[a-z][a-z0-9_-]{0,63}$/;
const variableNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const promptName = z.string().regex(promptNamePattern, 'must be letters, digits, ".", "_" or "-" (at most 128)');
export const labelName = z.string().regex(labelPattern, 'must start with a lower-case letter, then a-z, 0-9, "_" or "-" (at most 64)');

export const promptRoles = ['system', 'developer', 'user', 'assistant'] as const;
export type PromptRole = (typeof promptRoles)[number];

export const messageSchema = z.object({ role: z.enum(promptRoles), content: z.string() }).strict();

export { variableTypes };
export type { VariableType };

const variableInput = z
  .object({
    type: z.enum(variableTypes),
    required: z.boolean().optional().describe('default: true unless a default is given'),
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .strict()
  .superRefine((variable, context) => {
    const hasDefault = variable.default !== undefined;
    if (hasDefault && !matchesType(variable.type, variable.default)) {
      context.addIssue({ code: 'custom', path: ['default'], message: `must be a ${variable.type}` });
    }
    if (variable.required === true && hasDefault) {
      context.addIssue({ code: 'custom', path: ['required'], message: 'a required variable cannot have a default' });
    }
    if (variable.required === false && !hasDefault) {
      context.addIssue({ code: 'custom', path: ['default'], message: 'an optional variable needs a default' });
    }
  })
  .transform((variable) => ({
    type: variable.type,
    required: variable.default === undefined,
    ...(variable.default === undefined ? {} : { default: variable.default }),
    ...(variable.description === undefined ? {} : { description: variable.description }),
  }));

export type PromptVariable = z.output<typeof variableInput>;

const jsonObject = z.record(z.string(), z.unknown());

export const toolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().min(1).max(64),
        description: z.string().optional(),
        parameters: jsonObject.optional(),
        strict: z.boolean().optional(),
      })
      .strict(),
  })
  .strict();

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().min(1),
          schema: jsonObject.optional(),
          strict: z.boolean().optional(),
          description: z.string().optional(),
        })
        .strict(),
    })
    .strict(),
]);

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }).strict() }).strict(),
]);

/** Model parameters; the request a client sends through the gateway wins field by field. */
export const parametersSchema = z
  .object({
    model: z.string().min(1).optional().describe('a configured model or group name'),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    stop: z.array(z.string()).max(4).optional(),
    seed: z.number().int().optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    response_format: responseFormat.optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
  })
  .strict();

export type PromptParameters = z.output<typeof parametersSchema>;

const contentObject = z
  .object({
    messages: z.array(messageSchema).min(1, 'a prompt needs at least one message'),
    variables: z.record(z.string().regex(variableNamePattern, 'variable names are letters, digits and "_"'), variableInput).default({}),
    parameters: parametersSchema.default({}),
    tools: z.array(toolSchema).default([]),
  })
  .strict();

/** Every `{{name}}` in the messages must be a declared variable: a typo is caught at push, not at call time. */
function checkPlaceholders(content: z.output<typeof contentObject>, context: z.RefinementCtx): void {
  content.messages.forEach((message, index) => {
    for (const match of message.content.matchAll(placeholderPattern)) {
      const name = match[1] ?? '';
      if (!(name in content.variables)) {
        context.addIssue({
          code: 'custom',
          path: ['messages', index, 'content'],
          message: `uses {{${name}}}, which is not declared in variables`,
        });
      }
    }
  });
}

/** The versioned part of a prompt: what is hashed, stored, diffed and rendered. */
export const contentSchema = contentObject.superRefine(checkPlaceholders);

export type PromptContent = z.output<typeof contentSchema>;
export type PromptContentInput = z.input<typeof contentSchema>;

/** A whole prompt as pushed: its name, its content, and the labels to point at the resulting version. */
export const pushSchema = contentObject
  .extend({ name: promptName, labels: z.array(labelName).optional().describe('labels to point at this version') })
  .superRefine(checkPlaceholders);

export type PushInput = z.output<typeof pushSchema>;

/** A stored version's content, parsed again on the way out (the database is an edge too). */
export function parseStoredContent(name: string, version: number, document: PromptDocument): PromptContent {
  const parsed = contentSchema.safeParse(document);
  if (!parsed.success) throw new FenerError('internal', `stored prompt "${name}" version ${version} is not a valid prompt`);
  return parsed.data;
}

/** Turns a zod failure into the one error shape, naming the field (`variables.tone.default`). */
export function invalidInput(error: z.ZodError, prefix = ''): FenerError {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter((part) => part !== '').join('.');
  // A bad record key (a variable name) carries the useful message one level down.
  const message = issue?.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue?.message;
  return new FenerError('invalid_request', `${field || 'prompt'}: ${message ?? 'invalid'}`, { param: field || 'prompt' });
}

/** Validates content (messages, variables, parameters, tools) or throws `invalid_request` naming the field. */
export function parseContent(input: unknown, prefix = ''): PromptContent {
  const parsed = contentSchema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error, prefix);
  return parsed.data;
}
