/**
 * How far to trust a judge: its scores in a run against human labels of the same items.
 * Kappa treats scores as categories (a judge's mean over repeats is rounded to the nearest
 * label); Spearman uses them as they are. The mean variance over repeats shows the judge's own
 * noise.
 */
import { z } from 'zod';
import { FenerError } from '../core/index.js';
import type { Store } from '../store/index.js';
import { collectResults } from './aggregate.js';
import { cohenKappa, spearman, type KappaWeights } from './stats/agreement.js';

export const humanLabelSchema = z.strictObject({
  item_id: z.union([z.string().min(1), z.number().int()]).transform(String),
  variant: z.string().optional(),
  label: z.number(),
});
export type HumanLabel = z.output<typeof humanLabelSchema>;

export interface JudgeAgreement {
  judge: string;
  /** Items that have both a judge score and a human label. */
  n: number;
  kappa: number | null;
  weighted_kappa: number | null;
  weights: KappaWeights;
  spearman: number | null;
  /** Mean over items of the variance of the judge's repeated scores (null when it ran once). */
  mean_repeat_variance: number | null;
}

function nearest(value: number, labels: readonly number[]): number {
  let best = labels[0]!;
  for (const label of labels) if (Math.abs(label - value) < Math.abs(best - value)) best = label;
  return best;
}

export async function judgeAgreement(
  store: Store,
  input: { run: string; judge: string; labels: HumanLabel[]; weights?: KappaWeights },
): Promise<JudgeAgreement> {
  await store.evals.requireRun(input.run);
  const key = `judge.${input.judge}`;
  const judged: number[] = [];
  const human: number[] = [];
  const variances: number[] = [];
  const byItem = new Map<string, HumanLabel[]>();
  for (const label of input.labels) byItem.set(label.item_id, [...(byItem.get(label.item_id) ?? []), label]);
  await collectResults(store, input.run, (result) => {
    const score = result.scores[key];
    if (score === undefined) return;
    const label = byItem.get(result.itemId)?.find((candidate) => candidate.variant === undefined || candidate.variant === result.variant);
    if (!label) return;
    judged.push(score);
    human.push(label.label);
    const spread = result.scores[`${key}.variance`];
    if (spread !== undefined) variances.push(spread);
  });
  if (judged.length === 0) {
    throw new FenerError('invalid_request', `no item of run ${input.run} has both a "${key}" score and a human label`, { param: 'labels' });
  }
  const categories = [...new Set(human)].sort((a, b) => a - b);
  const rounded = judged.map((score) => nearest(score, categories));
  const weights = input.weights ?? 'quadratic';
  const order = { labels: categories };
  return {
    judge: input.judge,
    n: judged.length,
    kappa: cohenKappa(rounded, human, order),
    weighted_kappa: weights === 'none' ? cohenKappa(rounded, human, order) : cohenKappa(rounded, human, { ...order, weights }),
    weights,
    spearman: spearman(judged, human),
    mean_repeat_variance: variances.length === 0 ? null : variances.reduce((sum, value) => sum + value, 0) / variances.length,
  };
}
