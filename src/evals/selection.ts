/**
 * Model selection: candidates (the variants of a run) side by side on quality, cost and latency,
 * the Pareto front of the three, and a recommendation under the user's constraints. With a
 * minimum quality the recommendation is the cheapest candidate that meets every constraint
 * ("good enough for less"); without one, the best quality that meets them (cheaper on ties).
 * Results can be attached to the model registry as evaluations of the versions evaluated.
 */
import { FenerError } from '../core/index.js';
import type { ModelCatalog } from '../gateway/index.js';
import type { Store } from '../store/index.js';
import type { RunSummary } from './aggregate.js';
import { paretoFront } from './stats/pareto.js';

export interface SelectionConstraints {
  /** The score that measures quality, e.g. `exact_match`, `rougeL`, `judge.helpfulness`. */
  quality: string;
  minQuality?: number;
  maxCostPerItemUsd?: number;
  maxLatencyP95Ms?: number;
  /** Allowed licences; a candidate whose licence is unknown is refused when set. */
  licences?: string[];
}

export interface SelectionRow {
  variant: string;
  model: string;
  quality: number | null;
  quality_low: number | null;
  quality_high: number | null;
  cost_per_item_usd: number | null;
  latency_p95_ms: number;
  licence: string | null;
  pareto: boolean;
  eligible: boolean;
  /** Why a candidate is not eligible. */
  reasons: string[];
}

export interface Selection {
  quality: string;
  rows: SelectionRow[];
  pareto: string[];
  recommendation: string | null;
  explanation: string;
}

export function selectModel(
  summary: RunSummary,
  constraints: SelectionConstraints,
  licences: ReadonlyMap<string, string | null>,
): Selection {
  const rows: SelectionRow[] = summary.variants.map((variant) => {
    const interval = variant.scores[constraints.quality] ?? variant.scores[`${constraints.quality}_fmeasure`];
    const licence = licences.get(variant.model) ?? null;
    const reasons: string[] = [];
    if (!interval) reasons.push(`no score "${constraints.quality}"`);
    if (variant.items > 0 && variant.errors === variant.items) reasons.push('every call failed');
    if (constraints.minQuality !== undefined && interval && interval.mean < constraints.minQuality)
      reasons.push(`quality ${interval.mean.toFixed(4)} < ${constraints.minQuality}`);
    if (constraints.maxCostPerItemUsd !== undefined) {
      if (variant.cost_per_item_usd === null) reasons.push('cost unknown');
      else if (variant.cost_per_item_usd > constraints.maxCostPerItemUsd)
        reasons.push(`cost/item $${variant.cost_per_item_usd.toPrecision(3)} > $${constraints.maxCostPerItemUsd}`);
    }
    if (constraints.maxLatencyP95Ms !== undefined && variant.latency_ms.p95 > constraints.maxLatencyP95Ms)
      reasons.push(`latency p95 ${Math.round(variant.latency_ms.p95)} ms > ${constraints.maxLatencyP95Ms} ms`);
    if (constraints.licences && constraints.licences.length > 0) {
      if (licence === null) reasons.push('licence unknown');
      else if (!constraints.licences.includes(licence)) reasons.push(`licence "${licence}" not allowed`);
    }
    return {
      variant: variant.variant,
      model: variant.model,
      quality: interval?.mean ?? null,
      quality_low: interval?.low ?? null,
      quality_high: interval?.high ?? null,
      cost_per_item_usd: variant.cost_per_item_usd,
      latency_p95_ms: variant.latency_ms.p95,
      licence,
      pareto: false,
      eligible: reasons.length === 0,
      reasons,
    };
  });
  const measured = rows.filter((row) => row.quality !== null);
  const front = paretoFront(
    measured.map((row) => ({
      name: row.variant,
      quality: row.quality!,
      cost: row.cost_per_item_usd ?? Infinity,
      latency: row.latency_p95_ms,
    })),
  );
  for (const row of rows) row.pareto = front.includes(row.variant);
  const eligible = rows.filter((row) => row.eligible);
  const cost = (row: SelectionRow): number => row.cost_per_item_usd ?? Infinity;
  const ranked =
    constraints.minQuality !== undefined
      ? eligible.sort((a, b) => cost(a) - cost(b) || b.quality! - a.quality! || a.latency_p95_ms - b.latency_p95_ms)
      : eligible.sort((a, b) => b.quality! - a.quality! || cost(a) - cost(b) || a.latency_p95_ms - b.latency_p95_ms);
  const chosen = ranked[0];
  const explanation = chosen
    ? constraints.minQuality !== undefined
      ? `${chosen.variant} is the cheapest candidate that meets every constraint`
      : `${chosen.variant} has the best ${constraints.quality} among the candidates that meet every constraint`
    : 'no candidate meets every constraint';
  return { quality: constraints.quality, rows, pareto: front, recommendation: chosen?.variant ?? null, explanation };
}

/** A registry version behind a model name: `registry:NAME@ALIAS`, `registry:NAME@3`, `registry:NAME`, `registry/NAME/v3`. */
export async function registryVersionFor(
  store: Store,
  model: string,
): Promise<{ model: string; version: number; licence: string | null } | undefined> {
  let name: string;
  let ref: string;
  const serving = /^registry\/([^/]+)\/v([1-9][0-9]*)$/.exec(model);
  if (serving) [name, ref] = [serving[1]!, serving[2]!];
  else if (model.startsWith('registry:')) {
    const body = model.slice('registry:'.length);
    const at = body.lastIndexOf('@');
    [name, ref] = at < 0 ? [body, 'champion'] : [body.slice(0, at), body.slice(at + 1)];
  } else return undefined;
  const registered = await store.registry.getModel(name);
  if (!registered) return undefined;
  const version = /^[1-9][0-9]*$/.test(ref) ? Number(ref) : registered.aliases[ref];
  if (version === undefined) return undefined;
  const found = await store.registry.getVersion(name, version);
  return found && { model: name, version, licence: found.licence ?? null };
}

/** Licences of the candidates, from the registry or the model catalogue (`fener.yaml` / `/api/models`). */
export async function licencesOf(store: Store, catalog: ModelCatalog, models: readonly string[]): Promise<Map<string, string | null>> {
  const licences = new Map<string, string | null>();
  for (const model of models) {
    const registered = await registryVersionFor(store, model);
    if (registered) {
      licences.set(model, registered.licence);
      continue;
    }
    try {
      licences.set(model, catalog.resolve(model, 'chat').licence ?? null);
    } catch {
      licences.set(model, null); // prompt:, deployment: and group names carry no single licence
    }
  }
  return licences;
}

/**
 * Records every score mean, the cost per item and the latency p95 of each candidate that is a
 * registry version as evaluations of that version (audited by the registry).
 */
export async function attachToRegistry(
  store: Store,
  summary: RunSummary,
  actor: string,
): Promise<{ attached: string[]; skipped: string[] }> {
  const attached: string[] = [];
  const skipped: string[] = [];
  if (summary.variants.length === 0) throw new FenerError('invalid_request', 'the run has no variants', { param: 'run' });
  for (const variant of summary.variants) {
    const target = await registryVersionFor(store, variant.model);
    if (!target) {
      skipped.push(variant.variant);
      continue;
    }
    const name = `${summary.experiment}/${summary.run_id}`;
    const values: [string, number | null][] = [
      ...Object.entries(variant.scores).map(([key, interval]): [string, number] => [key, interval.mean]),
      ['cost_per_item_usd', variant.cost_per_item_usd],
      ['latency_p95_ms', variant.latency_ms.p95],
      ['error_rate', variant.error_rate],
    ];
    for (const [metric, value] of values) {
      if (value === null) continue;
      await store.registry.addEvaluation({ model: target.model, version: target.version, evaluation: { name, metric, value }, actor });
    }
    attached.push(`${variant.variant} → ${target.model}@${target.version}`);
  }
  return { attached, skipped };
}
