import type { PiiEntity } from '../types.js';

const emailPattern = /[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}/gu;

export function detectEmails(text: string): PiiEntity[] {
  const entities: PiiEntity[] = [];
  for (const match of text.matchAll(emailPattern)) {
    entities.push({ type: 'email', start: match.index, end: match.index + match[0].length });
  }
  return entities;
}
