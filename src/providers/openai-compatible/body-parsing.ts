/**
 * Turns a zod failure into one readable sentence naming the field in OpenAI's `param` notation
 * (`messages[0].content`). Unions are followed into the branch that got furthest, so the client
 * hears about the field that was actually wrong rather than "Invalid input".
 */
import type { z } from 'zod';
import { FenerError } from '../../core/index.js';

export interface IssueSummary {
  /** e.g. `messages[0].role`; empty for the body itself. */
  param: string;
  message: string;
}

type Issue = z.core.$ZodIssue;

export function formatParam(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The deepest issue inside a union (the branch that matched the most before failing). */
function deepest(issue: Issue, prefix: readonly PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: PropertyKey[] } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    const candidate = deepest(first, path);
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  return best ?? { issue, path };
}

export function summarizeIssues(error: z.ZodError): IssueSummary {
  const first = error.issues[0];
  if (first === undefined) return { param: '', message: 'invalid body' };
  const { issue, path } = deepest(first, []);
  const param = formatParam(path);
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined') && param !== '') {
    return { param, message: `Missing required parameter: '${param}'` };
  }
  return { param, message: param === '' ? issue.message : `Invalid '${param}': ${issue.message}` };
}

/** The `invalid_request` error for a body that failed its schema, naming the field as `param`. */
export function invalidBody(error: z.ZodError): FenerError {
  const issue = summarizeIssues(error);
  return new FenerError('invalid_request', issue.message, issue.param === '' ? {} : { param: issue.param });
}

/** A request body must be a JSON object before any schema is worth running. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new FenerError('invalid_request', 'the request body must be a JSON object');
}

/** An optional field that also accepts `null` (OpenAI does), read as absent. */
export function optionalField<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

/** The fields of `body` a schema does not model, kept to pass along as `extra`. */
export function unmodelledFields(body: Record<string, unknown>, modelled: ReadonlySet<string>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(body)) {
    if (modelled.has(key)) continue;
    extra ??= {};
    extra[key] = body[key];
  }
  return extra;
}
