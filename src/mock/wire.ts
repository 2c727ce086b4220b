/**
 * What the wire modules (OpenAI chat, embeddings, Anthropic messages) share. They are pure: a
 * parsed body in, a `WireResult` out, no sockets. The server decides when and how to send it,
 * which is also where latency, pacing and injected failures are applied.
 */
import type { z } from 'zod';
import { errorBody } from './error-bodies.js';
import type { ResolvedOptions } from './options.js';
import { createRandom, hashString, mixSeeds, randomIdPart, type Random } from './random.js';

export interface WireContext {
  options: ResolvedOptions;
  /** Position of the request since the server started; keeps ids of identical requests apart. */
  sequence: number;
  /** Unix seconds, for `created` fields. */
  nowSeconds: number;
}

export type WireResult =
  | { kind: 'json'; status: number; body: string }
  /**
   * A server-sent event stream: `head` goes out with the first token, each entry of `events`
   * carries one token (cuts and pacing count these), `tail` ends the stream.
   */
  | { kind: 'sse'; head: string; events: string[]; tail: string };

/**
 * The generator for one request's answer: the server seed mixed with a hash of what the request
 * asks (model, conversation, tools, request seed), never with volatile fields such as `stream`,
 * so a streamed and a non-streamed call give the same text.
 */
export function requestRandom(context: WireContext, requestKey: string): Random {
  return createRandom(mixSeeds(context.options.seed, hashString(requestKey)));
}

/** Ids look like the provider's and differ per request, even for identical requests. */
export function responseId(context: WireContext, requestKey: string): string {
  return randomIdPart(createRandom(mixSeeds(hashString(requestKey), context.sequence + 1)), 24);
}

export interface IssueReport {
  /** `messages.0.content`, or '' for the body itself. */
  path: string;
  /** True when the field is absent, which both providers report differently from a bad value. */
  missing: boolean;
  message: string;
}

/** The first validation problem, with enough detail for either provider's error wording. */
export function describeIssue(body: unknown, error: z.ZodError): IssueReport {
  const issue = error.issues[0];
  if (!issue) return { path: '', missing: false, message: 'Invalid request body.' };
  const path = issue.path.map(String).join('.');
  return { path, missing: lookUp(body, issue.path) === undefined, message: issue.message };
}

function lookUp(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function openAIInvalid(message: string, param: string | null, code: string | null): WireResult {
  return { kind: 'json', status: 400, body: errorBody('openai', { status: 400, message, param, code }) };
}

/** OpenAI words a missing field differently from a bad one, and names it in `param` either way. */
export function openAIValidationError(body: unknown, error: z.ZodError): WireResult {
  const issue = describeIssue(body, error);
  if (issue.path === '') return openAIInvalid('The request body must be a JSON object.', null, 'invalid_value');
  return issue.missing
    ? openAIInvalid(`Missing required parameter: '${issue.path}'.`, issue.path, 'missing_required_parameter')
    : openAIInvalid(`Invalid value for '${issue.path}': ${issue.message}`, issue.path || null, 'invalid_value');
}

/** Anthropic's wording: `max_tokens: Field required`. */
export function anthropicValidationError(body: unknown, error: z.ZodError): WireResult {
  const issue = describeIssue(body, error);
  const message =
    issue.path === '' ? 'The request body must be a JSON object.' : `${issue.path}: ${issue.missing ? 'Field required' : issue.message}`;
  return { kind: 'json', status: 400, body: errorBody('anthropic', { status: 400, message }) };
}
