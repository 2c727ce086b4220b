import { piiTypes } from './types.js';
import type { DetectOptions, PiiEntity, PiiType } from './types.js';
import { detectAddresses } from './detectors/address.js';
import { detectEmails } from './detectors/email.js';
import { detectIpAddresses, detectUrlCredentials } from './detectors/network.js';
import { detectCreditCards, detectIbans, detectTurkishIds } from './detectors/numbers.js';
import { detectPersons } from './detectors/person.js';
import { detectPhones } from './detectors/phone.js';
import { detectSecrets } from './detectors/secrets.js';

type Detector = (text: string) => PiiEntity[];

const detectors: Record<PiiType, Detector> = {
  email: detectEmails,
  phone: detectPhones,
  credit_card: detectCreditCards,
  iban: detectIbans,
  tr_national_id: detectTurkishIds,
  ip_address: detectIpAddresses,
  url_credentials: detectUrlCredentials,
  secret: detectSecrets,
  person: detectPersons,
  address: detectAddresses,
};

/**
 * How specific a detector is when two spans overlap: a pattern with a checksum or a fixed format
 * (0) beats a validated but looser phone (1), which beats the context patterns for names and
 * addresses (2). Within a tier the longer span wins (`https://u:p@host` over `p@host`).
 */
const tier: Record<PiiType, number> = {
  secret: 0,
  url_credentials: 0,
  email: 0,
  iban: 0,
  credit_card: 0,
  tr_national_id: 0,
  ip_address: 0,
  phone: 1,
  address: 2,
  person: 2,
};

/** Finds PII spans in `text`, sorted by start, never overlapping. */
export function detectPii(text: string, options: DetectOptions = {}): PiiEntity[] {
  if (text.length === 0) return [];
  const wanted = options.types ?? piiTypes;
  const found: PiiEntity[] = [];
  for (const type of new Set(wanted)) {
    for (const entity of detectors[type](text)) found.push(entity);
  }
  return found.length <= 1 ? found : resolveOverlaps(found);
}

/** Deterministic: by tier, then length, then position, then type name; a span overlapping a kept one is dropped. */
export function resolveOverlaps(entities: readonly PiiEntity[]): PiiEntity[] {
  const ranked = [...entities].sort(
    (a, b) => tier[a.type] - tier[b.type] || b.end - b.start - (a.end - a.start) || a.start - b.start || a.type.localeCompare(b.type),
  );
  // Kept spans are disjoint and sorted by start, so a binary search finds the only neighbours
  // a new span could overlap: n log n instead of n² when a text holds thousands of entities.
  const kept: PiiEntity[] = [];
  for (const entity of ranked) {
    const index = firstEndingAfter(kept, entity.start);
    const next = kept[index];
    if (next !== undefined && next.start < entity.end) continue;
    kept.splice(index, 0, entity);
  }
  return kept;
}

/** Index of the first kept span whose end is after `position` (spans are disjoint and sorted). */
function firstEndingAfter(kept: readonly PiiEntity[], position: number): number {
  let low = 0;
  let high = kept.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((kept[middle]?.end ?? 0) <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}
