/** How numbers and times read in the console. */
const integer = new Intl.NumberFormat('en-US');

export function count(value: number): string {
  return integer.format(value);
}

export function usd(value: number): string {
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return `$${value.toPrecision(2)}`;
  return `$${value.toFixed(Math.abs(value) < 1 ? 4 : 2)}`;
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function dateTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined) return '–';
  return new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19);
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

/** A metric value: at most four decimals, no trailing zeros. */
export function number(value: number): string {
  return Number(value.toFixed(4)).toString();
}
