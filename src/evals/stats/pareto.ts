/** The Pareto front of candidates on quality (higher is better), cost and latency (lower is better). */

export interface Candidate {
  name: string;
  quality: number;
  cost: number;
  latency: number;
}

/** True when `a` is at least as good as `b` on every axis and strictly better on one. */
export function dominates(a: Candidate, b: Candidate): boolean {
  const noWorse = a.quality >= b.quality && a.cost <= b.cost && a.latency <= b.latency;
  const better = a.quality > b.quality || a.cost < b.cost || a.latency < b.latency;
  return noWorse && better;
}

/** Names of the candidates no other candidate dominates, in input order. */
export function paretoFront(candidates: readonly Candidate[]): string[] {
  return candidates.filter((candidate) => !candidates.some((other) => dominates(other, candidate))).map((candidate) => candidate.name);
}
