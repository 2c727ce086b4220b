/**
 * Comparing two runs (or two variants of one run) item by item: for every score both have, a
 * paired bootstrap of candidate − baseline over the items both finished, and the per-item
 * differences of one metric, largest first, to read what changed.
 */
import { FenerError, type ItemDifference, type RunComparison } from '../core/index.js';
import type { EvalRun, Store } from '../store/index.js';
import { pairedBootstrap, type PairedComparison } from './stats/bootstrap.js';
import { hashString } from './stats/random.js';

export type { ItemDifference, RunComparison };

export interface Side {
  run: string;
  variant: string;
}

export interface CompareOptions {
  baseline: { run: string; variant?: string };
  candidate: { run: string; variant?: string };
  metric?: string;
  /** Per-item differences listed (default 20, largest |difference| first). */
  limit?: number;
  iterations?: number;
  confidence?: number;
  seed?: number;
}

function pickVariant(run: EvalRun, choice: { wanted: string | undefined; other: string | undefined; names: string[] }): string {
  const { wanted, other, names } = choice;
  if (wanted !== undefined) {
    if (!names.includes(wanted))
      throw new FenerError('invalid_request', `run ${run.id} has no variant "${wanted}" (has: ${names.join(', ')})`, { param: 'variant' });
    return wanted;
  }
  if (names.length === 1) return names[0]!;
  if (other !== undefined && names.includes(other)) return other;
  throw new FenerError('invalid_request', `run ${run.id} has several variants (${names.join(', ')}): name the one to compare`, {
    param: 'variant',
  });
}

function variantNames(run: EvalRun): string[] {
  const summary = run.summary as { variants?: { variant: string }[] } | null;
  return summary?.variants?.map((variant) => variant.variant) ?? [];
}

async function scoresOf(store: Store, side: Side): Promise<Map<string, Record<string, number>>> {
  const scores = new Map<string, Record<string, number>>();
  let afterIndex = -1;
  for (;;) {
    const page = await store.evals.listResults(side.run, { variant: side.variant, afterIndex, limit: 5000, withOutput: false });
    for (const result of page) if (result.status === 'ok') scores.set(result.itemId, result.scores);
    if (page.length < 5000) return scores;
    afterIndex = page.at(-1)!.itemIndex;
  }
}

export async function compareRuns(store: Store, options: CompareOptions): Promise<RunComparison> {
  const [baselineRun, candidateRun] = await Promise.all([
    store.evals.requireRun(options.baseline.run),
    store.evals.requireRun(options.candidate.run),
  ]);
  for (const run of [baselineRun, candidateRun]) {
    if (run.status !== 'completed')
      throw new FenerError('conflict', `run ${run.id} is ${run.status}; compare completed runs`, { param: 'run' });
  }
  const baselineNames = variantNames(baselineRun);
  const candidateNames = variantNames(candidateRun);
  // A baseline of one variant names the candidate's variant of the same name, as a named one does.
  const candidateVariant = pickVariant(candidateRun, {
    wanted: options.candidate.variant,
    other: options.baseline.variant ?? (baselineNames.length === 1 ? baselineNames[0] : undefined),
    names: candidateNames,
  });
  const baselineVariant = pickVariant(baselineRun, { wanted: options.baseline.variant, other: candidateVariant, names: baselineNames });
  const baseline = { run: baselineRun.id, variant: baselineVariant };
  const candidate = { run: candidateRun.id, variant: candidateVariant };
  const [before, after] = await Promise.all([scoresOf(store, baseline), scoresOf(store, candidate)]);
  const shared = [...before.keys()].filter((id) => after.has(id));
  const metricNames = new Set<string>();
  for (const id of shared) for (const key of Object.keys(before.get(id)!)) if (key in after.get(id)!) metricNames.add(key);
  const metrics: Record<string, PairedComparison> = {};
  for (const metric of [...metricNames].sort()) {
    const ids = shared.filter((id) => metric in before.get(id)! && metric in after.get(id)!);
    metrics[metric] = pairedBootstrap(
      ids.map((id) => before.get(id)![metric]!),
      ids.map((id) => after.get(id)![metric]!),
      {
        iterations: options.iterations ?? 1000,
        confidence: options.confidence ?? 0.95,
        seed: ((options.seed ?? 0) + hashString(metric)) >>> 0,
      },
    );
  }
  const metric = options.metric ?? [...metricNames].sort()[0] ?? null;
  if (options.metric !== undefined && !metricNames.has(options.metric)) {
    throw new FenerError('invalid_request', `both sides have no score "${options.metric}" (shared: ${[...metricNames].join(', ')})`, {
      param: 'metric',
    });
  }
  const items =
    metric === null
      ? []
      : shared
          .filter((id) => metric in before.get(id)! && metric in after.get(id)!)
          .map((id) => {
            const b = before.get(id)![metric]!;
            const c = after.get(id)![metric]!;
            return { item_id: id, baseline: b, candidate: c, difference: c - b };
          })
          .sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference) || x.item_id.localeCompare(y.item_id))
          .slice(0, options.limit ?? 20);
  return { baseline, candidate, paired_items: shared.length, metrics, metric, items };
}
