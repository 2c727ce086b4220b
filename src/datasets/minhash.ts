/**
 * Near-duplicate detection with MinHash and locality-sensitive hashing (Broder 1997; banding as
 * in Leskovec, Rajaraman & Ullman, "Mining of Massive Datasets", ch. 3).
 *
 * - Text is lower-cased and cut into words (runs of letters and digits, any script); shingles are
 *   `size` consecutive words (or `size` characters for `char`, better for unspaced scripts).
 * - Each shingle is hashed to 32 bits (FNV-1a); permutation i is `fmix32(h ^ seed_i)` (MurmurHash3's
 *   finaliser, a bijection on 32 bits) with seed_i drawn from `seed` by SplitMix32, so the same
 *   seed gives the same signatures on every machine.
 * - The signature (bands × rows minima) is cut into `bands` bands of `rows` values; each band is
 *   hashed to 64 bits. Two texts of Jaccard similarity s share at least one band with probability
 *   1 − (1 − s^rows)^bands: with the defaults (8 × 8) that is 0.99 at s = 0.9, 0.77 at s = 0.8,
 *   0.13 at s = 0.6 and 0.03 at s = 0.5 (the threshold, where the curve is steepest, is
 *   (1/bands)^(1/rows) ≈ 0.77). A shared band is taken as a duplicate without a second check:
 *   keeping every signature to verify would cost 256 bytes an item.
 */
import { HashSet64 } from './hash-set.js';

export interface MinHashParams {
  bands: number;
  rows: number;
  shingle: 'word' | 'char';
  /** Words (or characters) per shingle. */
  size: number;
  seed: number;
}

export const defaultMinHashParams: MinHashParams = { bands: 8, rows: 8, shingle: 'word', size: 3, seed: 1 };

/** MurmurHash3's 32-bit finaliser. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function fnv1a(text: string, from = 0, to = text.length): number {
  let h = 0x811c9dc5;
  for (let index = from; index < to; index++) {
    h ^= text.charCodeAt(index);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** SplitMix32: a small seeded generator for the permutation seeds. */
function seeds(seed: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = seed >>> 0;
  for (let index = 0; index < count; index++) {
    state = (state + 0x9e3779b9) >>> 0;
    out[index] = fmix32(state);
  }
  return out;
}

const wordPattern = /[\p{L}\p{N}]+/gu;

/** Distinct 32-bit shingle hashes of a text. */
export function shingleHashes(text: string, params: Pick<MinHashParams, 'shingle' | 'size'>): Uint32Array {
  const lower = text.toLowerCase();
  const hashes: number[] = [];
  if (params.shingle === 'char') {
    const compact = lower.replace(/\s+/g, ' ').trim();
    const last = Math.max(compact.length - params.size, 0);
    for (let start = 0; start <= last && compact.length > 0; start++)
      hashes.push(fnv1a(compact, start, Math.min(start + params.size, compact.length)));
  } else {
    const words = lower.match(wordPattern) ?? [];
    const wordHashes = words.map((word) => fnv1a(word));
    const last = Math.max(wordHashes.length - params.size, 0);
    for (let start = 0; start <= last && wordHashes.length > 0; start++) {
      let h = 0x9747b28c;
      for (let offset = 0; offset < params.size && start + offset < wordHashes.length; offset++) {
        h = fmix32(Math.imul(h ^ wordHashes[start + offset]!, 0x01000193));
      }
      hashes.push(h);
    }
  }
  return Uint32Array.from(new Set(hashes));
}

export class MinHasher {
  private readonly seeds: Uint32Array;

  constructor(readonly params: MinHashParams) {
    this.seeds = seeds(params.seed, params.bands * params.rows);
  }

  /** The signature, or undefined for a text without a single shingle (nothing to compare). */
  signature(text: string): Uint32Array | undefined {
    const shingles = shingleHashes(text, this.params);
    if (shingles.length === 0) return undefined;
    const signature = new Uint32Array(this.seeds.length).fill(0xffffffff);
    for (let perm = 0; perm < this.seeds.length; perm++) {
      const seed = this.seeds[perm]!;
      let min = 0xffffffff;
      for (let index = 0; index < shingles.length; index++) {
        const value = fmix32(shingles[index]! ^ seed);
        if (value < min) min = value;
      }
      signature[perm] = min;
    }
    return signature;
  }

  /** The 64-bit key of band `band`, as two halves, mixed with the band number. */
  bandKey(signature: Uint32Array, band: number): [number, number] {
    let high = fmix32(0x3c6ef372 ^ band);
    let low = fmix32(0xa54ff53a ^ band);
    for (let row = 0; row < this.params.rows; row++) {
      const value = signature[band * this.params.rows + row]!;
      high = fmix32(Math.imul(high ^ value, 0x01000193));
      low = fmix32(Math.imul(low ^ value, 0x85ebca6b) + 0x27d4eb2f);
    }
    return [high, low];
  }
}

/** Estimated Jaccard similarity: the share of equal signature positions. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let index = 0; index < a.length; index++) if (a[index] === b[index]) equal++;
  return equal / a.length;
}

/** Probability that two texts of Jaccard similarity `s` share a band. */
export function collisionProbability(s: number, params: Pick<MinHashParams, 'bands' | 'rows'>): number {
  return 1 - (1 - s ** params.rows) ** params.bands;
}

/**
 * Streaming near-duplicate filter: the first text of a group is kept, later texts that share a
 * band with any kept text are duplicates. Memory: one 64-bit key per band per kept text.
 */
export class NearDuplicateIndex {
  private readonly hasher: MinHasher;
  private readonly seen: HashSet64;

  constructor(params: MinHashParams, expectedItems = 1024) {
    this.hasher = new MinHasher(params);
    this.seen = new HashSet64(expectedItems * params.bands);
  }

  get bytes(): number {
    return this.seen.bytes;
  }

  /** True when `text` near-duplicates a text kept before; otherwise it is remembered and kept. */
  isDuplicate(text: string): boolean {
    const signature = this.hasher.signature(text);
    if (!signature) return false;
    const keys: [number, number][] = [];
    for (let band = 0; band < this.hasher.params.bands; band++) {
      const key = this.hasher.bandKey(signature, band);
      if (this.seen.has(key[0], key[1])) return true;
      keys.push(key);
    }
    for (const [high, low] of keys) this.seen.add(high, low);
    return false;
  }
}
