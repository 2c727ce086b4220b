import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CountryCode } from 'libphonenumber-js/min';
import type { PiiEntity } from '../types.js';
import { scan } from './scan.js';

/**
 * Candidates: an optional `+CC`/`00CC`, an optional `(area)`, then digit groups joined by single
 * spaces, dots, dashes or slashes (groups after the first have 2+ digits). Not glued to letters or
 * to another group of digits (a long run of numbers is a table, not a phone), nor after a 4-character
 * block of capitals or digits (the grouping of IBANs and cards).
 */
const phonePattern =
  /(?<![\w+\-./#]|\d |[A-Z0-9]{4} )(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,14}(?:[ .\-/]\d{2,14}){0,6}(?![\w@]|[ .,\-/]\d)/g;

/** Numbers with the trunk prefix 0 are tried against these plans, in this order. */
const trunkPlans: readonly CountryCode[] = ['TR', 'DE', 'GB', 'FR', 'NL', 'IT'];

const datePattern = /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}[./-]\d{1,2})$/;
const dottedQuad = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** North American numbers written the usual ways: (415) 555-2671, 415-555-2671, 415.555.2671, 1-800-555-0199. */
const northAmerican = /^(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}$/;
/** A slash only after an area code: 030/1234567, 0212/555 12 34. */
const slashAfterAreaCode = /^0\d{2,5}\/ ?\d/;

export function phoneAccepted(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (datePattern.test(value) || dottedQuad.test(value)) return false;
  if (value.includes('/') && (!slashAfterAreaCode.test(value) || value.indexOf('/') !== value.lastIndexOf('/'))) return false;
  if (value.startsWith('+') || value.startsWith('00')) {
    const international = value.startsWith('00') ? `+${value.slice(2)}` : value;
    return parsePhoneNumberFromString(international)?.isValid() === true;
  }
  const national = value.startsWith('0') || value.startsWith('(0');
  if (!national) return northAmerican.test(value) && parsePhoneNumberFromString(value, 'US')?.isValid() === true;
  // A bare run of digits is an order id or a code more often than a phone; unformatted, only the
  // shapes of Turkish mobiles (05xx…) and German mobiles (015x/016x/017x…) are taken.
  const formatted = /[ .\-/()]/.test(value);
  if (!formatted && !/^0(?:5\d{9}|1[5-7]\d{8,9})$/.test(digits)) return false;
  return trunkPlans.some((country) => parsePhoneNumberFromString(value, country)?.isValid() === true);
}

export function detectPhones(text: string): PiiEntity[] {
  return scan(text, { type: 'phone', pattern: phonePattern, accept: phoneAccepted });
}
