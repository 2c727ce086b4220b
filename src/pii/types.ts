/** The entity types the engine detects, named exactly as the API and the policies spell them. */
export const piiTypes = [
  'email',
  'phone',
  'credit_card',
  'iban',
  'tr_national_id',
  'ip_address',
  'url_credentials',
  'secret',
  'person',
  'address',
] as const;

export type PiiType = (typeof piiTypes)[number];

/** `mask` → `[EMAIL]`; `hash` → `[EMAIL_3f9a2c1b]` (stable per value and salt); `remove` → nothing. */
export const redactionModes = ['mask', 'hash', 'remove'] as const;
export type RedactionMode = (typeof redactionModes)[number];

/** A detected span: UTF-16 code-unit offsets into the input, `end` exclusive (like `String.slice`). */
export interface PiiEntity {
  type: PiiType;
  start: number;
  end: number;
}

export interface DetectOptions {
  /** Only these types (default: all). */
  types?: readonly PiiType[];
}

export interface RedactOptions extends DetectOptions {
  mode: RedactionMode;
  /** Key of the HMAC behind `hash` pseudonyms; the same value and salt give the same pseudonym. */
  salt?: string;
}

export interface RedactResult {
  text: string;
  entities: PiiEntity[];
}
