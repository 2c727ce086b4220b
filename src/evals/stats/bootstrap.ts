/**
 * Bootstrap confidence intervals (percentile method) for a mean, and the paired bootstrap that
 * compares two systems on the same items: resampling items, not systems, keeps each item's
 * difficulty in both arms, which is what makes small differences detectable.
 */
import type { MeanInterval, PairedComparison } from '../../core/index.js';
import { seededRandom } from './random.js';

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  iterations?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  seed?: number;
}

export type { MeanInterval, PairedComparison };

function settings(options: BootstrapOptions): { iterations: number; alpha: number; seed: number } {
  const iterations = options.iterations ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be between 0 and 1');
  return { iterations, alpha: 1 - confidence, seed: options.seed ?? 0 };
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? 0 : sum / values.length;
}

/** The q-quantile of sorted values with linear interpolation (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const fraction = position - lower;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * fraction;
}

/** Means of `iterations` resamples (with replacement) of `values`. */
function resampledMeans(values: ArrayLike<number>, iterations: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const n = values.length;
  const means = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)]!;
    means[b] = sum / n;
  }
  return means.sort();
}

/** The mean of `values` with a percentile bootstrap interval; an empty list gives zeros with n = 0. */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): MeanInterval {
  const { iterations, alpha, seed } = settings(options);
  const n = values.length;
  if (n === 0) return { mean: 0, low: 0, high: 0, n: 0 };
  const means = resampledMeans(values, iterations, seed);
  return { mean: mean(values), low: quantile(means, alpha / 2), high: quantile(means, 1 - alpha / 2), n };
}

/**
 * Paired bootstrap of candidate − baseline over the same items (arrays aligned by item).
 * The p-value is twice the smaller tail share of resampled mean differences on either side of 0.
 */
export function pairedBootstrap(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  options: BootstrapOptions = {},
): PairedComparison {
  if (baseline.length !== candidate.length)
    throw new RangeError(`paired samples differ in length: ${baseline.length} and ${candidate.length}`);
  const { iterations, alpha, seed } = settings(options);
  const n = baseline.length;
  const differences = new Float64Array(n);
  let wins = 0;
  let losses = 0;
  for (let i = 0; i < n; i++) {
    const difference = candidate[i]! - baseline[i]!;
    differences[i] = difference;
    if (difference > 0) wins++;
    else if (difference < 0) losses++;
  }
  const ties = n - wins - losses;
  if (n === 0) return { meanDifference: 0, low: 0, high: 0, n: 0, pValue: 1, wins, losses, ties };
  const means = resampledMeans(differences, iterations, seed);
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const value of means) {
    if (value <= 0) atOrBelow++;
    if (value >= 0) atOrAbove++;
  }
  const pValue = Math.min(1, (2 * Math.min(atOrBelow, atOrAbove)) / iterations);
  return {
    meanDifference: mean(differences),
    low: quantile(means, alpha / 2),
    high: quantile(means, 1 - alpha / 2),
    n,
    pValue,
    wins,
    losses,
    ties,
  };
}

/** Population variance and standard deviation (divides by n), e.g. of one judge's repeated scores. */
export function variance(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const centre = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - centre) ** 2;
  return sum / values.length;
}
