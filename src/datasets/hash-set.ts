/**
 * A set of 64-bit keys (given as two 32-bit halves) in typed arrays with linear probing: 8 bytes
 * a slot, no object per entry. A JavaScript `Set` of a million strings costs ~100 MB; this costs
 * 16 MB, which is what keeps dedupe of 1,000,000 items in bounded memory.
 */
export class HashSet64 {
  private keys: Uint32Array;
  private mask: number;
  private used = 0;

  /** `expected` entries fit without growing (load factor ≤ 0.5). */
  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.used;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.keys.byteLength;
  }

  /** Adds the key; returns false when it was already present. (0, 0) is stored as (0, 1). */
  add(high: number, low: number): boolean {
    const hi = high >>> 0;
    const lo = hi === 0 && low >>> 0 === 0 ? 1 : low >>> 0;
    let slot = (Math.imul(hi ^ lo, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const at = slot * 2;
      const storedHi = this.keys[at]!;
      const storedLo = this.keys[at + 1]!;
      if (storedHi === 0 && storedLo === 0) {
        this.keys[at] = hi;
        this.keys[at + 1] = lo;
        this.used++;
        if (this.used * 2 > this.mask + 1) this.grow();
        return true;
      }
      if (storedHi === hi && storedLo === lo) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  has(high: number, low: number): boolean {
    const hi = high >>> 0;
    const lo = hi === 0 && low >>> 0 === 0 ? 1 : low >>> 0;
    let slot = (Math.imul(hi ^ lo, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const at = slot * 2;
      const storedHi = this.keys[at]!;
      const storedLo = this.keys[at + 1]!;
      if (storedHi === 0 && storedLo === 0) return false;
      if (storedHi === hi && storedLo === lo) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.keys;
    this.keys = new Uint32Array(old.length * 2);
    this.mask = (this.mask + 1) * 2 - 1;
    this.used = 0;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at] !== 0 || old[at + 1] !== 0) this.add(old[at]!, old[at + 1]!);
    }
  }
}
