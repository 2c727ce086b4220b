/**
 * Deterministic train / validation / test splits. An item's split depends only on the seed and
 * its id — `sha256(seed + ":" + id)` read as a number in [0, 1) — never on its position or on the
 * other items, so the same item lands in the same split in every version that holds it, and
 * adding or removing items moves nothing else.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ItemSplit } from './item.js';

export const splitShape = {
  seed: z.union([z.string().min(1), z.number().int()]).describe('any string or integer; the same seed gives the same split'),
  train: z.number().min(0).max(1),
  validation: z.number().min(0).max(1),
  test: z.number().min(0).max(1),
};

export function ratiosAddUp(ratios: { train: number; validation: number; test: number }): boolean {
  return Math.abs(ratios.train + ratios.validation + ratios.test - 1) < 1e-9;
}

const ratioMessage = { message: 'train + validation + test must add up to 1', path: ['train'] };

export const splitParamsSchema = z.object(splitShape).strict().refine(ratiosAddUp, ratioMessage);
export type SplitParams = z.infer<typeof splitParamsSchema>;
export { ratioMessage };

/** A uniform number in [0, 1) from 53 bits of the hash of seed and id. */
export function splitPoint(seed: string | number, id: string): number {
  const digest = createHash('sha256').update(`${seed}:${id}`).digest();
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4) >>> 11;
  return (high * 2 ** 21 + low) / 2 ** 53;
}

export function assignSplit(params: SplitParams, id: string): ItemSplit {
  const point = splitPoint(params.seed, id);
  if (point < params.train) return 'train';
  if (point < params.train + params.validation) return 'validation';
  return 'test';
}
