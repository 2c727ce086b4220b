/**
 * One imported record (a JSONL line, a CSV row, a trace) → a validated item, or the reason it
 * was refused. Shorthands accepted on import: `messages` or `variables` at the top level stand
 * for `input: {messages}` / `input: {variables}`.
 */
import { z } from 'zod';
import {
  itemContentSchema,
  itemIdPattern,
  itemIdSchema,
  itemRoles,
  itemSplits,
  prepareItem,
  type ItemContent,
  type ItemMessage,
  type ItemSplit,
  type PreparedItem,
} from './item.js';

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

const recordKeys = new Set(['id', 'input', 'messages', 'variables', 'expected', 'rejected', 'metadata', 'split']);
const roles = new Set<string>(itemRoles);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function plainMessages(value: unknown): value is ItemMessage[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const message of value) {
    if (!isObject(message) || typeof message.content !== 'string' || typeof message.role !== 'string' || !roles.has(message.role))
      return false;
    for (const key in message)
      if (key !== 'role' && key !== 'content' && !(key === 'name' && typeof message.name === 'string' && message.name !== '')) return false;
  }
  return true;
}

const isOutput = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string' || Array.isArray(value) || isObject(value);

/**
 * The common shape (`id`, `messages`, text outputs, object metadata) checked by hand: zod costs
 * ~100 µs a record, which is most of an import of a million lines. Anything else — including
 * every invalid record — goes through zod, which also words the error.
 */
function fastRecord(value: Record<string, unknown>): RecordResult | undefined {
  for (const key in value) if (!recordKeys.has(key)) return undefined;
  const { id, messages, expected, rejected, metadata, split } = value;
  if (value.input !== undefined || value.variables !== undefined || !plainMessages(messages)) return undefined;
  if (id !== undefined && (typeof id !== 'string' || !itemIdPattern.test(id))) return undefined;
  if (!isOutput(expected) || !isOutput(rejected) || (metadata !== undefined && !isObject(metadata))) return undefined;
  if (split !== undefined && split !== null && !itemSplits.includes(split as ItemSplit)) return undefined;
  const content: ItemContent = { input: { messages } };
  if (expected !== undefined) content.expected = expected as ItemContent['expected'];
  if (rejected !== undefined) content.rejected = rejected as ItemContent['rejected'];
  if (metadata !== undefined) content.metadata = metadata as Record<string, unknown>;
  const item = prepareItem(id as string | undefined, content);
  if (split !== undefined) item.split = split as ItemSplit | null;
  return { ok: true, item };
}

export function parseRecord(value: unknown): RecordResult {
  const fast = isObject(value) ? fastRecord(value) : undefined;
  if (fast) return fast;
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
