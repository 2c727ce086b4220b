/**
 * A fixed log-scale histogram of durations, small enough to keep one per rollup row and cheap to
 * merge by adding counts. Bin `i` holds values in [0.1 ms × 1.1^i, 0.1 ms × 1.1^(i+1)); a
 * percentile is answered with the geometric middle of its bin, so between 0.1 ms and ~47 minutes
 * it is within √1.1 − 1 ≈ 4.9% of the exact nearest-rank value. Shorter values fall in the first
 * bin, longer ones in the last.
 *
 * Stored as JSON text `{"<bin>": count, …}` (sparse: a row seldom fills more than a few dozen
 * bins) so that both dialects keep it in a plain text column; `fener_hist_add(a, b)` merges two
 * of them inside an upsert (a JavaScript function on SQLite, an SQL function on Postgres).
 */

export const histogramBase = 0.1;
export const histogramGrowth = 1.1;
export const histogramBins = 180;
/** The largest relative error of a percentile read from a histogram. */
export const histogramRelativeError = Math.sqrt(histogramGrowth) - 1;

const logGrowth = Math.log(histogramGrowth);

/** Bin index → count; integer keys iterate in ascending order. */
export type Histogram = Record<number, number>;

export function binOf(ms: number): number {
  if (!(ms > histogramBase)) return 0;
  return Math.min(histogramBins - 1, Math.floor(Math.log(ms / histogramBase) / logGrowth));
}

/** What a bin reports: the geometric middle of its range. */
export function binValue(bin: number): number {
  return histogramBase * Math.pow(histogramGrowth, bin + 0.5);
}

export function addTo(histogram: Histogram, ms: number, count = 1): void {
  const bin = binOf(ms);
  histogram[bin] = (histogram[bin] ?? 0) + count;
}

export function mergeInto(target: Histogram, source: Histogram): void {
  for (const key in source) {
    const bin = Number(key);
    target[bin] = (target[bin] ?? 0) + (source[bin] ?? 0);
  }
}

export function encodeHistogram(histogram: Histogram): string {
  return JSON.stringify(histogram);
}

export function decodeHistogram(text: string | null): Histogram {
  if (text === null || text === '') return {};
  return JSON.parse(text) as Histogram;
}

/** The merge behind `fener_hist_add` on SQLite. */
export function addEncoded(a: string | null, b: string | null): string {
  const merged = decodeHistogram(a);
  mergeInto(merged, decodeHistogram(b));
  return encodeHistogram(merged);
}

/** A histogram being merged on the read path: one count per bin, no allocation per row. */
export type DenseHistogram = Float64Array;

export function denseHistogram(): DenseHistogram {
  return new Float64Array(histogramBins);
}

/**
 * Adds an encoded histogram to a dense one. A scanner rather than `JSON.parse`: it reads the
 * digits of `{"12":3,"15":1}` (or Postgres' `{"12": 3, "15": 1}`) without building an object.
 */
export function addEncodedInto(target: DenseHistogram, text: string): void {
  let number = 0;
  let inNumber = false;
  let bin = -1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      number = number * 10 + (code - 48);
      inNumber = true;
    } else if (inNumber) {
      if (bin < 0) bin = number;
      else {
        if (bin < histogramBins) target[bin] = (target[bin] ?? 0) + number;
        bin = -1;
      }
      number = 0;
      inNumber = false;
    }
  }
}

/**
 * Nearest-rank percentiles (`quantiles` in 0..1, ascending); null when empty. The true value of
 * rank ⌈q·n⌉ lies in the bin reported, hence the error bound above.
 */
export function percentiles(histogram: DenseHistogram, quantiles: readonly number[]): (number | null)[] {
  let total = 0;
  for (let bin = 0; bin < histogramBins; bin++) total += histogram[bin] ?? 0;
  if (total === 0) return quantiles.map(() => null);
  const answers: (number | null)[] = [];
  let seen = 0;
  let next = 0;
  for (let bin = 0; bin < histogramBins && next < quantiles.length; bin++) {
    seen += histogram[bin] ?? 0;
    while (next < quantiles.length && seen >= Math.max(1, Math.ceil((quantiles[next] ?? 0) * total))) {
      answers.push(round(binValue(bin)));
      next++;
    }
  }
  return answers;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
