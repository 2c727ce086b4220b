import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so two requests that differ only in the order
 * their client wrote the keys produce the same text (and the same cache key). Array order is
 * kept: the order of messages, tools and stop sequences changes what a model answers. Follows
 * `JSON.stringify` otherwise: `undefined` members are dropped, non-finite numbers become null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Built by concatenation, and keys sorted only when they are not already: on the hot path
  // (every cacheable call) this is several times cheaper than arrays joined at every level.
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (index > 0) out += ',';
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  if (!isSorted(names)) names.sort();
  let out = '{';
  for (const name of names) {
    const member = record[name];
    if (member === undefined || typeof member === 'function') continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(name)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

function isSorted(names: string[]): boolean {
  for (let index = 1; index < names.length; index++) if ((names[index - 1] as string) > (names[index] as string)) return false;
  return true;
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
