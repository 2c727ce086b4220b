/**
 * How far to trust a judge: agreement of its scores with human labels. Cohen's kappa for
 * categories (optionally weighted, for ordered scales, as scikit-learn's `cohen_kappa_score`
 * defines it) and Spearman's rho with average ranks for ties (as `scipy.stats.spearmanr`).
 */

export type KappaWeights = 'none' | 'linear' | 'quadratic';

export interface KappaOptions {
  weights?: KappaWeights;
  /** Category order (needed for weighted kappa on non-numeric labels); default: numeric or alphabetical order of the labels seen. */
  labels?: readonly (string | number)[];
}

function categoryOrder(a: readonly (string | number)[], b: readonly (string | number)[], given?: readonly (string | number)[]): string[] {
  if (given) return given.map(String);
  const seen = [...new Set([...a, ...b].map(String))];
  const numeric = seen.every((label) => label.trim() !== '' && Number.isFinite(Number(label)));
  return numeric ? seen.sort((x, y) => Number(x) - Number(y)) : seen.sort();
}

/**
 * Cohen's kappa between two raters over the same items. Returns null when it is undefined
 * (both raters used one single and identical category: expected disagreement is 0).
 */
export function cohenKappa(a: readonly (string | number)[], b: readonly (string | number)[], options: KappaOptions = {}): number | null {
  if (a.length !== b.length) throw new RangeError(`the raters scored different numbers of items: ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('kappa needs at least one item');
  const labels = categoryOrder(a, b, options.labels);
  const index = new Map(labels.map((label, position) => [label, position]));
  const k = labels.length;
  const observed = Array.from({ length: k }, () => new Float64Array(k));
  for (let i = 0; i < a.length; i++) {
    const row = index.get(String(a[i]));
    const column = index.get(String(b[i]));
    if (row === undefined || column === undefined)
      throw new RangeError(`label "${String(row === undefined ? a[i] : b[i])}" is not among the labels`);
    observed[row]![column]! += 1;
  }
  const rowSums = observed.map((row) => row.reduce((sum, value) => sum + value, 0));
  const columnSums = labels.map((_, column) => observed.reduce((sum, row) => sum + row[column]!, 0));
  const total = a.length;
  const weights = options.weights ?? 'none';
  let observedDisagreement = 0;
  let expectedDisagreement = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const weight = weights === 'none' ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) ** 2;
      observedDisagreement += weight * observed[i]![j]!;
      expectedDisagreement += (weight * rowSums[i]! * columnSums[j]!) / total;
    }
  }
  if (expectedDisagreement === 0) return null;
  return 1 - observedDisagreement / expectedDisagreement;
}

/** Ranks from 1, ties given the average of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, position) => ({ value, position })).sort((x, y) => x.value - y.value);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]!.position] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Pearson's r; null when either side is constant (undefined, where scipy gives NaN). */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`samples differ in length: ${x.length} and ${y.length}`);
  const n = x.length;
  if (n < 2) return null;
  const meanX = x.reduce((s, v) => s + v, 0) / n;
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's rank correlation: Pearson's r of the average ranks. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`samples differ in length: ${x.length} and ${y.length}`);
  return pearson(averageRanks(x), averageRanks(y));
}
