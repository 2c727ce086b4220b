import { ibanLengths, ibanValid, luhnValid, turkishIdValid } from '../checksums.js';
import type { PiiEntity } from '../types.js';
import { scan } from './scan.js';

// 13–19 digits, single spaces or dashes between them, not part of a longer number.
// The lookbehind comes after the first digit so that V8 can skip ahead to digits quickly.
const cardPattern = /\d(?<!(?:[\d-]|\d[ -])\d)(?:[ -]?\d){12,18}(?![\d]|[ -]\d)/g;
// Country, check digits, then 11–30 characters in optional groups; trimmed to the country length.
// The regex over-reads (it cannot know the country's length); each candidate is cut to it in code,
// and the scan resumes right after a rejected start so that a following IBAN is still found.
const ibanPattern = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/g;
const turkishIdPattern = /(?<![\d.,-])[1-9]\d{10}(?![\d]|[.,]\d)/g;

/**
 * Issuer prefixes (IIN ranges) with their lengths: Visa, Mastercard, Amex, Discover, JCB, Diners,
 * UnionPay, Maestro and Troy (Türkiye). A Luhn-valid number outside these is not reported.
 */
const issuers: readonly { pattern: RegExp; lengths: readonly number[] }[] = [
  // Visa's 13-digit numbers were retired long ago; EAN-13 barcodes starting with 4 were not.
  { pattern: /^4/, lengths: [16, 19] },
  { pattern: /^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] },
  { pattern: /^3[47]/, lengths: [15] },
  { pattern: /^(?:6011|64[4-9]|65)/, lengths: [16, 17, 18, 19] },
  { pattern: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19] },
  { pattern: /^(?:30[0-5]|3095|36|3[89])/, lengths: [14, 15, 16, 17, 18, 19] },
  { pattern: /^62/, lengths: [16, 17, 18, 19] },
  // Maestro: 16–19 only; its rare 12–15-digit numbers collide with EAN barcodes and order ids.
  { pattern: /^(?:50|5[6-8]|6[0-9])/, lengths: [16, 17, 18, 19] },
  { pattern: /^9792/, lengths: [16] },
];

function cardAccepted(value: string): boolean {
  const separators = value.replace(/\d/g, '');
  if (separators.length > 0 && new Set(separators).size > 1) return false;
  const digits = value.replace(/\D/g, '');
  if (!issuers.some((issuer) => issuer.pattern.test(digits) && issuer.lengths.includes(digits.length))) return false;
  if (/^(\d)\1+$/.test(digits)) return false;
  return luhnValid(digits);
}

export function detectCreditCards(text: string): PiiEntity[] {
  return scan(text, { type: 'credit_card', pattern: cardPattern, accept: cardAccepted });
}

export function detectTurkishIds(text: string): PiiEntity[] {
  return scan(text, { type: 'tr_national_id', pattern: turkishIdPattern, accept: turkishIdValid });
}

export function detectIbans(text: string): PiiEntity[] {
  const entities: PiiEntity[] = [];
  const pattern = new RegExp(ibanPattern.source, 'g');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const end = ibanEnd(text, match.index, match[0]);
    if (end === undefined) {
      pattern.lastIndex = match.index + 1;
      continue;
    }
    entities.push({ type: 'iban', start: match.index, end });
    pattern.lastIndex = end;
  }
  return entities;
}

/** Where a valid IBAN starting the candidate ends, or undefined. */
function ibanEnd(text: string, start: number, candidate: string): number | undefined {
  const length = ibanLengths[candidate.slice(0, 2).toUpperCase()];
  if (length === undefined) return undefined;
  let taken = 0;
  let end = 0;
  while (end < candidate.length && taken < length) {
    if (candidate[end] !== ' ') taken += 1;
    end += 1;
  }
  if (taken < length) return undefined;
  const next = text[start + end];
  if (next !== undefined && /[A-Za-z0-9]/.test(next)) return undefined;
  const compact = candidate.slice(0, end).replace(/ /g, '').toUpperCase();
  return ibanValid(compact) ? start + end : undefined;
}
