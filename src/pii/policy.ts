import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { redactPii } from './redact.js';
import { piiTypes, redactionModes } from './types.js';

/** What to redact and how; absent `types` means every type. */
export const piiRuleSchema = z
  .object({
    mode: z.enum(redactionModes),
    types: z.array(z.enum(piiTypes)).min(1).optional().describe('Entity types to redact; absent redacts all'),
  })
  .strict();
export type PiiRule = z.infer<typeof piiRuleSchema>;

const ruleOrOff = z.union([z.literal('off'), piiRuleSchema]).default('off');

/**
 * A project's PII policy. `requests`: chat message text is redacted before it reaches a provider.
 * `traces`: request and response text is redacted before a trace is stored.
 * @example { requests: { mode: 'mask', types: ['email', 'credit_card'] }, traces: { mode: 'hash' } }
 */
export const piiPolicySchema = z
  .object({
    requests: ruleOrOff.describe('Redact chat messages before the provider sees them, or "off"'),
    traces: ruleOrOff.describe('Redact request and response text before traces are stored, or "off"'),
  })
  .strict();
export type PiiPolicy = z.infer<typeof piiPolicySchema>;

export const piiPolicyOff: PiiPolicy = { requests: 'off', traces: 'off' };

/**
 * The salt of a project's `hash` pseudonyms: HMAC-SHA-256(server secret, project id). Nothing is
 * stored; the same secret gives the same pseudonyms on every replica and after restarts. Without a
 * secret the salt depends on the project id alone, and a pseudonym of a guessable value (a known
 * email address) can be confirmed by anyone who knows the scheme.
 */
export function projectSalt(secret: string | undefined, projectId: string): string {
  return createHmac('sha256', secret ?? 'fener-pii-without-secret')
    .update(`pii-salt:${projectId}`)
    .digest('hex');
}

/** Keys whose string values are structure, not text, in the JSON bodies Fener stores. */
const structuralKeys = new Set(['role', 'model', 'type', 'id', 'object', 'finish_reason', 'stop_reason', 'tool_call_id', 'name']);

/** Redacts every text string in a JSON value (objects and arrays walked, structural keys kept). */
export function redactJson(value: unknown, rule: PiiRule, salt: string): unknown {
  const options = { mode: rule.mode, salt, ...(rule.types ? { types: rule.types } : {}) };
  const walk = (node: unknown, key: string | undefined): unknown => {
    if (typeof node === 'string') return key !== undefined && structuralKeys.has(key) ? node : redactPii(node, options).text;
    if (Array.isArray(node)) return node.map((item) => walk(item, undefined));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([name, child]) => [name, walk(child, name)]));
    }
    return node;
  };
  return walk(value, undefined);
}
