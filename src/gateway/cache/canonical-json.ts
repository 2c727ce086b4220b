import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so two requests that differ only in the order
 * their client wrote the keys produce the same text (and the same cache key). Array order is
 * kept: the order of messages, tools and stop sequences changes what a model answers. Follows
 * `JSON.stringify` otherwise: `undefined` members are dropped, non-finite numbers become null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const member = record[name];
    if (member === undefined || typeof member === 'function') continue;
    members.push(`${JSON.stringify(name)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
