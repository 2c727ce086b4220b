/** The arithmetic mean; 0 for an empty list, so a report never shows NaN. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
