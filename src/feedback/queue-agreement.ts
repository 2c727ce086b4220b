/** Agreement between a queue's reviewers, one result per score name (thumbs, scores, labels). */
import type { ScoreAgreement } from '../core/index.js';
import type { QueueRating } from '../store/index.js';

export type { ScoreAgreement };
import { cohensKappa, fleissKappa, krippendorffAlpha, percentAgreement } from './agreement.js';

export function agreementByScore(ratings: QueueRating[]): ScoreAgreement[] {
  const groups = new Map<string, QueueRating[]>();
  for (const rating of ratings) {
    if (rating.kind !== 'thumbs' && rating.kind !== 'score' && rating.kind !== 'label') continue;
    const key = `${rating.kind}\u0000${rating.name}`;
    const group = groups.get(key) ?? [];
    group.push(rating);
    groups.set(key, group);
  }
  return [...groups.values()].map(agreementOf).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function agreementOf(ratings: QueueRating[]): ScoreAgreement {
  const { kind, name } = ratings[0]!;
  const numeric = kind === 'score';
  // item → reviewer → value; a reviewer answers an item once (the queue guarantees it).
  const byItem = new Map<string, Map<string, string | number>>();
  for (const rating of ratings) {
    const value = numeric ? (rating.value ?? 0) : (rating.label ?? '');
    const answers = byItem.get(rating.item_id) ?? new Map<string, string | number>();
    answers.set(rating.reviewer, value);
    byItem.set(rating.item_id, answers);
  }
  const compared = [...byItem.values()].filter((answers) => answers.size >= 2);
  const units = compared.map((answers) => [...answers.values()]);
  const reviewers = [...new Set(compared.flatMap((answers) => [...answers.keys()]))].sort();
  return {
    name,
    kind,
    reviewers,
    items_compared: compared.length,
    percent_agreement: percentAgreement(units),
    cohens_kappa:
      reviewers.length === 2
        ? cohensKappa(compared.map((answers) => [String(answers.get(reviewers[0]!)), String(answers.get(reviewers[1]!))]))
        : null,
    fleiss_kappa: fleissOf(units),
    krippendorff_alpha_nominal: krippendorffAlpha(units, 'nominal'),
    krippendorff_alpha_interval: numeric ? krippendorffAlpha(units, 'interval') : null,
  };
}

function fleissOf(units: (string | number)[][]): number | null {
  if (units.length === 0 || units.some((values) => values.length !== units[0]!.length)) return null;
  const categories = [...new Set(units.flat())];
  return fleissKappa(units.map((values) => categories.map((category) => values.filter((value) => value === category).length)));
}
