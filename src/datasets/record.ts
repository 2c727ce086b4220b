/**
 * One imported record (a JSONL line, a CSV row, a trace) → a validated item, or the reason it
 * was refused. Shorthands accepted on import: `messages` or `variables` at the top level stand
 * for `input: {messages}` / `input: {variables}`.
 */
import { z } from 'zod';
import { itemContentSchema, itemIdSchema, itemSplits, prepareItem, type PreparedItem } from './item.js';

const recordSchema = z
  .object({
    id: itemIdSchema.optional(),
    input: z.unknown().optional(),
    messages: z.unknown().optional(),
    variables: z.unknown().optional(),
    expected: z.unknown().optional(),
    rejected: z.unknown().optional(),
    metadata: z.unknown().optional(),
    split: z.enum(itemSplits).nullable().optional(),
  })
  .strict();

export type RecordResult = { ok: true; item: PreparedItem } | { ok: false; reason: string };

/** Formats the first zod issue as `field: message`, the way rejected lines are reported. */
export function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

export function parseRecord(value: unknown): RecordResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      reason: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    };
  }
  const record = recordSchema.safeParse(value);
  if (!record.success) return { ok: false, reason: issueText(record.error) };
  const { id, input, messages, variables, split, ...rest } = record.data;
  const given = [input, messages, variables].filter((part) => part !== undefined).length;
  if (given === 0) return { ok: false, reason: 'missing input: give "input", "messages" or "variables"' };
  if (given > 1) return { ok: false, reason: 'give only one of "input", "messages" and "variables"' };
  const content = itemContentSchema.safeParse({
    input: input ?? (messages !== undefined ? { messages } : { variables }),
    ...Object.fromEntries(Object.entries(rest).filter(([, part]) => part !== undefined)),
  });
  if (!content.success) return { ok: false, reason: issueText(content.error) };
  const item = prepareItem(id, content.data);
  if (split !== undefined) item.split = split;
  return { ok: true, item };
}
