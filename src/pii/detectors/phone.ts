import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CountryCode } from 'libphonenumber-js/min';
import type { PiiEntity } from '../types.js';
import { scan } from './scan.js';

/**
 * Candidates: an optional `+CC`/`00CC`, an optional `(area)`, then digit groups joined by single
 * spaces, dots, dashes or slashes (groups after the first have 2+ digits). Not glued to letters or
 * to another group of digits: a long run of numbers is a table, not a phone.
 */
const phonePattern =
  /(?<![\w+\-./#]|\d )(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,14}(?:[ .\-/]\d{2,14}){0,6}(?![\w@]|[ .\-/]\d)/g;

/** National numbers (no `+`) are tried against these plans, in this order. */
const nationalPlans: readonly CountryCode[] = ['TR', 'DE', 'US', 'GB', 'FR', 'NL'];

const datePattern = /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}[./-]\d{1,2})$/;
const dottedQuad = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export function phoneAccepted(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (datePattern.test(value) || dottedQuad.test(value)) return false;
  if (value.startsWith('+') || value.startsWith('00')) {
    const international = value.startsWith('00') ? `+${value.slice(2)}` : value;
    return parsePhoneNumberFromString(international)?.isValid() === true;
  }
  // A bare run of digits is an order id or a code more often than a phone — unless it carries
  // the trunk prefix 0 that national numbers are dialled with (0532…, 030…).
  const formatted = /[ .\-/()]/.test(value);
  if (!formatted && !value.startsWith('0')) return false;
  return nationalPlans.some((country) => parsePhoneNumberFromString(value, country)?.isValid() === true);
}

export function detectPhones(text: string): PiiEntity[] {
  return scan(text, { type: 'phone', pattern: phonePattern, accept: phoneAccepted });
}
