/**
 * Sticky traffic splitting: a request's variant is a pure function of its stickiness key (the end
 * user, else the session, else the API key — see the gateway) and the canary id, so one user
 * keeps seeing one variant for the whole canary on every replica, and a new canary reshuffles.
 */
import { createHash } from 'node:crypto';

export interface WeightedVariant {
  name: string;
  percent: number;
}

/** A point in [0, 100) from the first 48 bits of SHA-256 (uniform; no state; same on every replica). */
export function bucketOf(key: string, salt: string): number {
  const digest = createHash('sha256').update(salt).update('\u0000').update(key).digest();
  return (digest.readUIntBE(0, 6) / 2 ** 48) * 100;
}

export function chooseVariant<T extends WeightedVariant>(variants: readonly T[], key: string, salt: string): T {
  const point = bucketOf(key, salt);
  let edge = 0;
  for (const variant of variants) {
    edge += variant.percent;
    if (point < edge) return variant;
  }
  // Rounding can leave the top of the range uncovered: it belongs to the last variant with a share.
  const last = [...variants].reverse().find((variant) => variant.percent > 0) ?? variants[variants.length - 1];
  if (!last) throw new Error('a canary has at least two variants');
  return last;
}
