import { createHmac } from 'node:crypto';
import { detectPii } from './engine.js';
import type { PiiEntity, PiiType, RedactOptions, RedactResult } from './types.js';

/**
 * Detects and replaces PII. Entities are reported with offsets into the INPUT text, so a caller
 * can show what was found; the output text has each span replaced according to the mode.
 */
export function redactPii(text: string, options: RedactOptions): RedactResult {
  const entities = detectPii(text, options.types === undefined ? {} : { types: options.types });
  if (entities.length === 0) return { text, entities };
  const parts: string[] = [];
  let cursor = 0;
  for (const entity of entities) {
    parts.push(text.slice(cursor, entity.start));
    const value = text.slice(entity.start, entity.end);
    parts.push(replacement(entity, value, options));
    cursor = entity.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), entities };
}

function replacement(entity: PiiEntity, value: string, options: RedactOptions): string {
  switch (options.mode) {
    case 'mask':
      return `[${label(entity.type)}]`;
    case 'remove':
      return '';
    case 'hash':
      return `[${label(entity.type)}_${pseudonym(entity.type, value, options.salt ?? '')}]`;
  }
}

function label(type: PiiType): string {
  return type.toUpperCase();
}

/** 8 hex digits of HMAC-SHA-256(salt, type + normalised value): stable, not reversible without the salt. */
export function pseudonym(type: PiiType, value: string, salt: string): string {
  return createHmac('sha256', salt)
    .update(`${type}\u0000${normaliseValue(type, value)}`)
    .digest('hex')
    .slice(0, 8);
}

/**
 * The same person written two ways gets the same pseudonym: case-folded emails, digits-only
 * numbers, upper-cased IBANs without spaces.
 */
export function normaliseValue(type: PiiType, value: string): string {
  switch (type) {
    case 'email':
    case 'url_credentials':
    case 'ip_address':
      return value.toLowerCase();
    case 'phone':
    case 'credit_card':
    case 'tr_national_id':
      return value.replace(/\D/g, '');
    case 'iban':
      return value.replace(/\s/g, '').toUpperCase();
    case 'person':
    case 'address':
      return value.normalize('NFC').replace(/\s+/g, ' ').toLocaleLowerCase('tr');
    case 'secret':
      return value;
  }
}
