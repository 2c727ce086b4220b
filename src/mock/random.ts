/**
 * Seeded, allocation-free randomness. Everything the mock provider "decides" (answer words,
 * embedding vectors, which request fails) comes from here, so a seed replays a whole run.
 * None of it is cryptographic, and it does not need to be.
 */

export type Random = () => number;

/** 32-bit FNV-1a over UTF-16 code units: one cheap pass, good enough to spread requests over seeds. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Combines two 32-bit values with murmur3's finaliser, so that seeds 1 and 2 (or two hashes that
 * differ in one bit) start the generator in unrelated states.
 */
export function mixSeeds(a: number, b: number): number {
  let hash = (a ^ Math.imul(b >>> 0, 0x9e3779b1)) >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** mulberry32: a tiny generator with a full 2^32 period, uniform in [0, 1). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Provider-looking id suffixes (`chatcmpl-…`, `call_…`, `msg_…`) drawn from the seeded generator. */
export function randomIdPart(random: Random, length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += idAlphabet[Math.floor(random() * idAlphabet.length)];
  return out;
}
