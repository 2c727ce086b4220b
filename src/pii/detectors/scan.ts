import type { PiiEntity, PiiType } from '../types.js';

/**
 * Every pattern in the engine is written to run in linear time: each starts behind a boundary
 * (a lookbehind, so only one start per token) and every quantifier that can meet a long run of
 * input is bounded, so a start costs at most a constant number of steps.
 */
export interface ScanOptions {
  type: PiiType;
  pattern: RegExp;
  /**
   * `tail`: the value is group 1 and ends the match (what precedes it is context, e.g. `Bearer `);
   * `head`: the value is group 1 and starts the match (e.g. a name before `Bey`).
   */
  group?: 'tail' | 'head';
  /**
   * A cheap pre-check without the `g` flag (literals, no lookbehind): when it does not match, the
   * pattern cannot either and is not run. Patterns that start with a lookbehind and large letter
   * classes cost far more per byte than a scan for their keywords.
   */
  gate?: RegExp;
  /** Accepts or rejects a candidate value (checksums, validators). */
  accept?: (value: string) => boolean;
}

export function scan(text: string, options: ScanOptions): PiiEntity[] {
  const { type, pattern, group, gate, accept } = options;
  const entities: PiiEntity[] = [];
  if (gate && !gate.test(text)) return entities;
  for (const match of text.matchAll(pattern)) {
    const value = group === undefined ? match[0] : (match[1] ?? '');
    if (value.length === 0) continue;
    const start = group === 'tail' ? match.index + match[0].length - value.length : match.index;
    const end = start + value.length;
    if (accept && !accept(value)) continue;
    entities.push({ type, start, end });
  }
  return entities;
}
