/** The order in which a group tries its targets; the first is the choice, the rest are fallbacks. */
import type { ResolvedModel } from '../model-catalog.js';
import type { TargetStats } from './target-stats.js';

export type Strategy = 'fallback' | 'weighted' | 'least-latency' | 'least-busy' | 'lowest-cost';

export interface Target {
  model: ResolvedModel;
  weight: number;
  timeoutMs?: number;
  ttftTimeoutMs?: number;
}

function byWeightedDraw(targets: Target[], random: () => number): Target[] {
  const remaining = [...targets];
  const ordered: Target[] = [];
  while (remaining.length > 0) {
    const total = remaining.reduce((sum, target) => sum + target.weight, 0);
    let draw = random() * total;
    let index = remaining.findIndex((target) => (draw -= target.weight) < 0);
    if (index < 0) index = remaining.length - 1;
    ordered.push(...remaining.splice(index, 1));
  }
  return ordered;
}

const unitPrice = (target: Target): number => target.model.price.input_per_mtok + target.model.price.output_per_mtok;

/** Sorts stably, so equal targets keep their declared order. */
function sortedBy(targets: Target[], key: (target: Target) => number): Target[] {
  return targets
    .map((target, index) => ({ target, index, key: key(target) }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map((entry) => entry.target);
}

export function orderTargets(strategy: Strategy, targets: Target[], context: { stats: TargetStats; random?: () => number }): Target[] {
  switch (strategy) {
    case 'fallback':
      return targets;
    case 'weighted':
      return byWeightedDraw(targets, context.random ?? Math.random);
    case 'least-latency':
      return sortedBy(targets, (target) => context.stats.latency(target.model.name));
    case 'least-busy':
      return sortedBy(targets, (target) => context.stats.inFlight(target.model.name));
    case 'lowest-cost':
      return sortedBy(targets, unitPrice);
  }
}
