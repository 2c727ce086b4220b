import type { PiiEntity } from '../types.js';
import { letter } from './letters.js';
import { scan } from './scan.js';

// Local part ≤ 64 (RFC 5321), labels ≤ 63, a letter-only TLD: bounded, so linear on any input.
const emailPattern = new RegExp(
  String.raw`(?<![${letter}\d._%+-])[${letter}\d_%+-](?:[${letter}\d._%+-]{0,62}[${letter}\d_%+-])?@(?:[${letter}\d](?:[${letter}\d-]{0,61}[${letter}\d])?\.){1,8}[${letter}]{2,24}(?![${letter}\d-]|@)`,
  'g',
);

export function detectEmails(text: string): PiiEntity[] {
  if (!text.includes('@')) return [];
  return scan(text, { type: 'email', pattern: emailPattern });
}
