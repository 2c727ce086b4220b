import type { PiiEntity } from '../types.js';
import { scan } from './scan.js';

// Local part ≤ 64 (RFC 5321), labels ≤ 63, a letter-only TLD: bounded, so linear on any input.
const emailPattern =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-](?:[\p{L}\p{N}._%+-]{0,62}[\p{L}\p{N}_%+-])?@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.){1,8}\p{L}{2,24}(?![\p{L}\p{N}-]|@)/gu;

export function detectEmails(text: string): PiiEntity[] {
  if (!text.includes('@')) return [];
  return scan(text, { type: 'email', pattern: emailPattern });
}
