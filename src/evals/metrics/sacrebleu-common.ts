/**
 * What BLEU and chrF share in sacrebleu 2.4.3 (`metrics/base.py`): references are filtered the
 * same way, the signature is built the same way, and per-item scores are sentence scores.
 */
import { FenerError } from '../../core/index.js';

/** The sacrebleu release whose behaviour these metrics reproduce, as printed in signatures. */
export const sacrebleuVersion = '2.4.3';

/**
 * sacrebleu drops empty-string references (so items may have different numbers of references)
 * and refuses an item with none left ("Empty or `None` reference sentence found.").
 */
export function usableReferences(references: readonly string[], index: number): string[] {
  const usable = references.filter((reference) => reference !== '');
  if (usable.length === 0) {
    throw new FenerError('invalid_request', `references[${index}] has no non-empty reference; sacrebleu refuses empty references`, {
      param: 'references',
    });
  }
  return usable;
}

/** `nrefs` of the signature: the common count, or `var` when items differ. */
export function referenceCount(references: readonly string[][]): string {
  const counts = new Set(references.map((list) => list.filter((reference) => reference !== '').length));
  return counts.size === 1 ? String([...counts][0]) : 'var';
}

export function formatSignature(fields: ReadonlyArray<readonly [string, string | number]>): string {
  return [...fields, ['version', sacrebleuVersion] as const].map(([key, value]) => `${key}:${value}`).join('|');
}

/** Adds `counts[i]` into `total[i]`. */
export function addInto(total: number[], counts: readonly number[]): void {
  for (let index = 0; index < counts.length; index += 1) total[index] = (total[index] ?? 0) + (counts[index] ?? 0);
}
