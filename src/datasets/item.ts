/**
 * A dataset item: an input (chat messages, or variables for a prompt template), an optional
 * expected output (and, for preference data, a rejected one) and free metadata. Its content
 * hash is the SHA-256 of its canonical JSON (keys sorted), so equal content hashes equally
 * whatever the key order it arrived in. The item id is not part of the content: it follows an
 * item through versions while its content changes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../store/index.js';

export const itemRoles = ['system', 'developer', 'user', 'assistant', 'tool'] as const;
export type ItemRole = (typeof itemRoles)[number];

export const itemMessageSchema = z
  .object({
    role: z.enum(itemRoles),
    content: z.string(),
    name: z.string().min(1).optional(),
  })
  .strict();
export type ItemMessage = z.infer<typeof itemMessageSchema>;

const jsonObject = z.record(z.string(), z.unknown());

export const itemInputSchema = z.union([
  z.object({ messages: z.array(itemMessageSchema).min(1, 'needs at least one message') }).strict(),
  z.object({ variables: jsonObject }).strict(),
]);

/** Expected (and rejected) outputs: a text, or JSON for structured answers. */
const outputSchema = z.union([z.string(), jsonObject, z.array(z.unknown())]).nullable();

export const itemContentSchema = z
  .object({
    input: itemInputSchema,
    expected: outputSchema.optional(),
    rejected: outputSchema.optional(),
    metadata: jsonObject.optional(),
  })
  .strict();
export type ItemContent = z.infer<typeof itemContentSchema>;
export type ItemOutput = z.infer<typeof outputSchema>;

/** Item ids: what a user or a trace gave, or `itm_…` derived from the content. */
export const itemIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
export const itemIdSchema = z.string().regex(itemIdPattern, 'letters, digits and . _ : @ / - (at most 128)');

/** An item ready to store: validated content with its canonical text and hash. */
export interface PreparedItem {
  /** Undefined when the source gave none: the writer derives one from the content hash. */
  id: string | undefined;
  content: ItemContent;
  body: string;
  contentHash: string;
  /** Kept when a record names one (an exported split version imports back as it was). */
  split?: ItemSplit | null;
}

export const itemSplits = ['train', 'validation', 'test'] as const;
export type ItemSplit = (typeof itemSplits)[number];

export interface DatasetItem {
  id: string;
  content: ItemContent;
  contentHash: string;
  split: ItemSplit | null;
}

/** Drops `undefined` fields and empty metadata so that equal items have one canonical form. */
export function normaliseContent(content: ItemContent): ItemContent {
  const out: ItemContent = { input: content.input };
  if (content.expected !== undefined) out.expected = content.expected;
  if (content.rejected !== undefined) out.rejected = content.rejected;
  if (content.metadata !== undefined && Object.keys(content.metadata).length > 0) out.metadata = content.metadata;
  return out;
}

export function hashBody(body: string): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

export function prepareItem(id: string | undefined, content: ItemContent): PreparedItem {
  const normalised = normaliseContent(content);
  const body = canonicalJson(normalised);
  return { id, content: normalised, body, contentHash: hashBody(body) };
}

/** The id derived from content when none was given: the same content always gets the same id. */
export function derivedId(contentHash: string, occurrence: number): string {
  const base = `itm_${contentHash.slice('sha256:'.length, 'sha256:'.length + 20)}`;
  return occurrence <= 1 ? base : `${base}-${occurrence}`;
}

/** Parses a stored body; bodies were validated when written, so this is a plain JSON parse. */
export function parseBody(body: string): ItemContent {
  return JSON.parse(body) as ItemContent;
}

/** Every string of an output (or any JSON value), for text statistics and filters. */
function stringsOf(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const inner of value) stringsOf(inner, out);
  else if (value !== null && typeof value === 'object') for (const inner of Object.values(value)) stringsOf(inner, out);
}

/** The input's text: message contents, or the string values of the variables. */
export function inputText(content: ItemContent): string {
  if ('messages' in content.input) return content.input.messages.map((message) => message.content).join('\n');
  const out: string[] = [];
  stringsOf(content.input.variables, out);
  return out.join('\n');
}

export function outputText(output: ItemOutput | undefined): string {
  if (output === undefined || output === null) return '';
  if (typeof output === 'string') return output;
  return JSON.stringify(output);
}

/** Input and expected output together: what dedupe, length and language steps look at. */
export function itemText(content: ItemContent): string {
  const expected = outputText(content.expected);
  return expected === '' ? inputText(content) : `${inputText(content)}\n${expected}`;
}

/**
 * Applies `map` to every string in the item that holds data (message contents and names,
 * variable values, outputs, metadata values) — keys and roles are left alone.
 */
export function mapStrings(content: ItemContent, map: (text: string) => string): ItemContent {
  const input =
    'messages' in content.input
      ? { messages: content.input.messages.map((message) => ({ ...message, content: map(message.content) })) }
      : { variables: mapJson(content.input.variables, map) as Record<string, unknown> };
  const out: ItemContent = { input };
  if (content.expected !== undefined) out.expected = mapJson(content.expected, map) as ItemOutput;
  if (content.rejected !== undefined) out.rejected = mapJson(content.rejected, map) as ItemOutput;
  if (content.metadata !== undefined) out.metadata = mapJson(content.metadata, map) as Record<string, unknown>;
  return out;
}

function mapJson(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((inner) => mapJson(inner, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, mapJson(inner, map)]));
  }
  return value;
}
