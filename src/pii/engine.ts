import { piiTypes } from './types.js';
import type { DetectOptions, PiiEntity, PiiType } from './types.js';
import { detectEmails } from './detectors/email.js';

type Detector = (text: string) => PiiEntity[];

const detectors: Partial<Record<PiiType, Detector>> = {
  email: detectEmails,
};

/** Finds PII spans in `text`, sorted by start, never overlapping. */
export function detectPii(text: string, options: DetectOptions = {}): PiiEntity[] {
  const wanted = options.types ?? piiTypes;
  const found: PiiEntity[] = [];
  for (const type of wanted) {
    const detector = detectors[type];
    if (detector) found.push(...detector(text));
  }
  return resolveOverlaps(found);
}

function resolveOverlaps(entities: PiiEntity[]): PiiEntity[] {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiEntity[] = [];
  for (const entity of sorted) {
    const last = kept[kept.length - 1];
    if (last && entity.start < last.end) continue;
    kept.push(entity);
  }
  return kept;
}
