/**
 * Agreement between reviewers. Each statistic returns null where it is undefined (no data, or
 * all answers in one category so that chance agreement is already perfect).
 *
 * - Cohen's kappa (two raters): κ = (p_o − p_e) / (1 − p_e), p_e from each rater's own marginals.
 * - Fleiss' kappa (any number of raters, the same number per item).
 * - Krippendorff's alpha (any number of raters, missing answers allowed): α = 1 − D_o / D_e over
 *   the coincidence matrix, with the nominal metric (δ = 0 when equal, else 1) or the interval
 *   metric (δ² = (c − k)²). Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011).
 * - Percentage agreement: the share of agreeing pairs of answers per item, averaged over items.
 */

/** Cohen's kappa over items that both raters answered: one `[rater A's value, rater B's value]` per item. */
export function cohensKappa(pairs: readonly (readonly [string, string])[]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let agreed = 0;
  for (const [a, b] of pairs) {
    if (a === b) agreed++;
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
  }
  const observed = agreed / n;
  let expected = 0;
  for (const [category, count] of first) expected += (count / n) * ((second.get(category) ?? 0) / n);
  if (expected === 1) return null;
  return (observed - expected) / (1 - expected);
}

/**
 * Fleiss' kappa: one row per item, each row the number of raters who chose each category (the
 * same categories, in the same order, on every row); every row must sum to the same rater count.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number | null {
  const items = counts.length;
  if (items === 0) return null;
  const raters = sum(counts[0]!);
  if (raters < 2 || counts.some((row) => sum(row) !== raters)) return null;
  const categories = counts[0]!.length;
  let meanAgreement = 0;
  for (const row of counts) meanAgreement += (sum(row.map((count) => count * count)) - raters) / (raters * (raters - 1));
  meanAgreement /= items;
  let expected = 0;
  for (let category = 0; category < categories; category++) {
    const share = sum(counts.map((row) => row[category] ?? 0)) / (items * raters);
    expected += share * share;
  }
  if (expected === 1) return null;
  return (meanAgreement - expected) / (1 - expected);
}

export type AlphaMetric = 'nominal' | 'interval';

/**
 * Krippendorff's alpha: one array per unit holding the values its raters gave (missing answers
 * simply absent). Units with fewer than two values cannot be paired and are ignored.
 */
export function krippendorffAlpha(units: readonly (readonly (string | number)[])[], metric: AlphaMetric): number | null {
  const pairable = units.filter((values) => values.length >= 2);
  const distance = (a: string | number, b: string | number): number =>
    metric === 'nominal' ? (a === b ? 0 : 1) : (Number(a) - Number(b)) ** 2;
  // Observed disagreement over the coincidences within units, and each value's total n_c.
  const totals = new Map<string | number, number>();
  let observedSum = 0;
  let n = 0;
  for (const values of pairable) {
    const m = values.length;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) if (i !== j) observedSum += distance(values[i]!, values[j]!) / (m - 1);
      totals.set(values[i]!, (totals.get(values[i]!) ?? 0) + 1);
    }
    n += m;
  }
  if (n < 2) return null;
  const entries = [...totals];
  let expectedSum = 0;
  for (const [c, nc] of entries) for (const [k, nk] of entries) expectedSum += nc * nk * distance(c, k);
  const observed = observedSum / n;
  const expected = expectedSum / (n * (n - 1));
  if (expected === 0) return null;
  return 1 - observed / expected;
}

/** The share of agreeing pairs of answers within each item (items with two or more), averaged over items. */
export function percentAgreement(units: readonly (readonly (string | number)[])[]): number | null {
  const pairable = units.filter((values) => values.length >= 2);
  if (pairable.length === 0) return null;
  let total = 0;
  for (const values of pairable) {
    let agreeing = 0;
    let pairs = 0;
    for (let i = 0; i < values.length; i++) {
      for (let j = i + 1; j < values.length; j++) {
        pairs++;
        if (values[i] === values[j]) agreeing++;
      }
    }
    total += agreeing / pairs;
  }
  return total / pairable.length;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
