/**
 * Seeded randomness for everything an evaluation draws (bootstrap resamples, online sampling),
 * so the same seed gives the same confidence intervals on any machine.
 */

/** A generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for resampling (not for secrets). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a of a string, for seeds and for sampling decisions that must be stable per id. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A stable draw in [0, 1) for an id: the same trace is in or out of a sample whichever process looks. */
export function unitHash(text: string): number {
  return hashString(text) / 4_294_967_296;
}
