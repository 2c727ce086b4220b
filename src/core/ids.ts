import { randomBytes } from 'node:crypto';

/** Prefixes name what an id points at, so an id pasted in the wrong place is caught at a glance. */
export type IdPrefix = 'prj' | 'key' | 'trc' | 'req' | 'mdl' | 'spn';

export type Id<P extends IdPrefix> = `${P}_${string}`;
export type ProjectId = Id<'prj'>;
export type KeyId = Id<'key'>;
export type TraceId = Id<'trc'>;
export type RequestId = Id<'req'>;

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = alphabet[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** Random bytes drawn in blocks: one system call per few hundred ids instead of one per id. */
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomPart(length: number): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[pool[poolOffset + i]! % 32];
  poolOffset += length;
  return out;
}

/**
 * A new id that sorts by creation time (10 time characters, then 12 random ones), e.g.
 * `trc_01jd8v3k2m9x4p7q2rzt5wbn6c`.
 */
export function newId<P extends IdPrefix>(prefix: P, now: number = Date.now()): Id<P> {
  return `${prefix}_${encodeTime(now)}${randomPart(12)}`;
}

/**
 * A random token of base32 characters from the pooled random bytes: cheap enough for the hot
 * path (a hold's id, say), where one `randomBytes` call per use costs microseconds.
 */
export function randomToken(length = 16): string {
  return randomPart(length);
}

/** A secret token made of URL-safe characters, for API keys. */
export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
