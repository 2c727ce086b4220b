/**
 * Embedding vectors as the semantic cache keeps them: normalised once when stored, so cosine
 * similarity is a plain dot product at lookup; packed as base64 float32, which is about a third
 * of the JSON text of the same numbers (a scope's list is read whole on every lookup).
 */

/** The unit vector in the direction of `values`, or undefined for a zero or non-finite vector. */
export function normalise(values: readonly number[]): Float32Array | undefined {
  let sum = 0;
  for (const value of values) sum += value * value;
  const length = Math.sqrt(sum);
  if (!Number.isFinite(length) || length === 0) return undefined;
  return Float32Array.from(values, (value) => value / length);
}

/** Cosine similarity of two unit vectors; -Infinity when their dimensions differ (another embedding model). */
export function cosineOfUnit(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.NEGATIVE_INFINITY;
  let dot = 0;
  for (let index = 0; index < a.length; index++) dot += (a[index] ?? 0) * (b[index] ?? 0);
  return dot;
}

export function packVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function unpackVector(text: string): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return undefined;
  // Copy into a fresh, aligned buffer: a Buffer's offset into its pool need not be a multiple of 4.
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}
