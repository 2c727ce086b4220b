/**
 * A fixed log-scale histogram of durations, small enough to keep one per rollup row and cheap to
 * merge by adding counts. Bin `i` holds values in [0.1 ms × 1.1^i, 0.1 ms × 1.1^(i+1)); a
 * percentile is answered with the geometric middle of its bin, so between 0.1 ms and ~47 minutes
 * it is within √1.1 − 1 ≈ 4.9% of the exact nearest-rank value. Shorter values fall in the first
 * bin, longer ones in the last.
 *
 * Stored as compact text `bin:count,bin:count` in ascending bins, '' when empty (sparse: a row
 * seldom fills more than a few dozen bins; about half the bytes of the JSON object that migration
 * 0011 stored) so that both dialects keep it in a plain text column; `fener_hist_merge(a, b)`
 * merges two of them inside an upsert (a JavaScript function on SQLite, an SQL function on
 * Postgres; see trace-rollups.ts).
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

const binValues = Array.from({ length: histogramBins }, (_, bin) => round(histogramBase * Math.pow(histogramGrowth, bin + 0.5)));

/** What a bin reports: the geometric middle of its range (rounded to the µs). */
export function binValue(bin: number): number {
  return binValues[bin] ?? NaN;
}

export function addTo(histogram: Histogram, ms: number, count = 1): void {
  const bin = binOf(ms);
  histogram[bin] = (histogram[bin] ?? 0) + count;
}

export function encodeHistogram(histogram: Histogram): string {
  const parts: string[] = [];
  // Integer keys of an object iterate in ascending order.
  for (const key in histogram) {
    const count = histogram[key] ?? 0;
    if (count !== 0) parts.push(`${key}:${count}`);
  }
  return parts.join(',');
}

/**
 * The merge behind `fener_hist_merge` on SQLite: both inputs are sorted by bin, so one pass over
 * the characters of each, without splitting or building objects (it runs once per rollup row an
 * upsert adds to).
 */
export function mergeEncoded(a: string | null, b: string | null): string {
  if (a === null || a === '') return b ?? '';
  if (b === null || b === '') return a;
  const left = new PairReader(a);
  const right = new PairReader(b);
  let out = '';
  while (left.bin >= 0 || right.bin >= 0) {
    let bin: number;
    let count: number;
    if (right.bin < 0 || (left.bin >= 0 && left.bin < right.bin)) {
      bin = left.bin;
      count = left.count;
      left.next();
    } else if (left.bin < 0 || right.bin < left.bin) {
      bin = right.bin;
      count = right.count;
      right.next();
    } else {
      bin = left.bin;
      count = left.count + right.count;
      left.next();
      right.next();
    }
    out += out === '' ? `${bin}:${count}` : `,${bin}:${count}`;
  }
  return out;
}

/** Reads `bin:count` pairs one at a time; `bin` is -1 past the end. */
class PairReader {
  bin = -1;
  count = 0;
  private index = 0;

  constructor(private readonly text: string) {
    this.next();
  }

  next(): void {
    this.bin = this.number();
    this.count = this.bin < 0 ? 0 : this.number();
  }

  private number(): number {
    const text = this.text;
    while (this.index < text.length && !isDigit(text.charCodeAt(this.index))) this.index++;
    if (this.index >= text.length) return -1;
    let value = 0;
    for (; this.index < text.length && isDigit(text.charCodeAt(this.index)); this.index++) {
      value = value * 10 + text.charCodeAt(this.index) - 48;
    }
    return value;
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A histogram being merged on the read path: one count per bin, no allocation per row. */
export type DenseHistogram = Float64Array;

export function denseHistogram(): DenseHistogram {
  return new Float64Array(histogramBins);
}

/**
 * Adds an encoded histogram to a dense one. A scanner rather than a parser: it reads the digits of
 * `12:3,15:1` as (bin, count) pairs without building anything (any separators would do).
 */
export function addEncodedInto(target: DenseHistogram, text: string): void {
  let number = 0;
  let inNumber = false;
  let bin = -1;
  // One step past the end (code NaN) ends the last number as a separator would.
  for (let index = 0; index <= text.length; index++) {
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
      answers.push(binValue(bin));
      next++;
    }
  }
  return answers;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** One dense histogram reused by every call below: reads are synchronous, so none overlap. */
const scratch = denseHistogram();

/**
 * Percentiles of the sum of encoded histograms — what a time series computes for each of its up
 * to 2,000 points, so it allocates nothing: the counts go into one reused dense histogram, and
 * only the bins between the lowest and the highest seen are scanned and then cleared.
 */
export function percentilesOfEncoded(encoded: readonly string[], quantiles: readonly number[]): (number | null)[] {
  let low = histogramBins;
  let high = -1;
  let total = 0;
  for (const text of encoded) {
    let number = 0;
    let inNumber = false;
    let bin = -1;
    for (let index = 0; index <= text.length; index++) {
      const code = index < text.length ? text.charCodeAt(index) : 0;
      if (code >= 48 && code <= 57) {
        number = number * 10 + (code - 48);
        inNumber = true;
      } else if (inNumber) {
        if (bin < 0) bin = number < histogramBins ? number : histogramBins - 1;
        else {
          scratch[bin] = (scratch[bin] as number) + number;
          total += number;
          if (bin < low) low = bin;
          if (bin > high) high = bin;
          bin = -1;
        }
        number = 0;
        inNumber = false;
      }
    }
  }
  const answers: (number | null)[] = [];
  if (total === 0) {
    for (let index = 0; index < quantiles.length; index++) answers.push(null);
    return answers;
  }
  let seen = 0;
  let next = 0;
  let rank = Math.max(1, Math.ceil((quantiles[0] ?? 0) * total));
  for (let bin = low; bin <= high; bin++) {
    seen += scratch[bin] as number;
    scratch[bin] = 0;
    while (next < quantiles.length && seen >= rank) {
      answers.push(binValue(bin));
      next++;
      rank = Math.max(1, Math.ceil((quantiles[next] ?? 0) * total));
    }
  }
  return answers;
}
