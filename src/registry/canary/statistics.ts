/**
 * The sequential test behind automatic canary decisions: a mixture sequential probability ratio
 * test (mSPRT, Johari, Pekelis & Walsh, "Always valid inference", 2017 — the test behind
 * Optimizely's stats engine) for a difference of two proportions.
 *
 * Each signal is reduced to a Bernoulli "bad outcome" per request (an error; a latency above a
 * threshold fixed in advance; a score below a bound), so every signal is compared the same way:
 * θ = p_variant − p_baseline. With θ̂ the observed difference and V its estimated variance, the
 * mixture likelihood ratio against H0: θ = θ0, mixing over θ ~ N(θ0, τ²), is
 *
 *   Λ = sqrt(V / (V + τ²)) · exp( τ² (θ̂ − θ0)² / (2 V (V + τ²)) )
 *
 * Under H0 it is (asymptotically) a martingale with mean 1, so by Ville's inequality
 * P(Λ ever ≥ 1/α) ≤ α: the test may be checked after every request and still holds its level —
 * unlike a fixed-sample z-test, which looked at repeatedly rejects far more often than α. The
 * always-valid p-value is min over time of 1/Λ. The normal approximation is why a minimum
 * sample size per arm is required before any decision.
 */

export interface ArmCounts {
  /** Requests (or observations) seen. */
  n: number;
  /** Of those, bad outcomes. */
  bad: number;
}

export interface SequentialTestOptions {
  /** Type-I error bound of the test (e.g. 0.05). */
  alpha: number;
  /** Standard deviation of the mixing distribution: the size of difference the test is tuned to find. */
  tau: number;
}

export interface MixtureResult {
  /** θ̂ = p̂_variant − p̂_baseline. */
  difference: number;
  /** Estimated standard error of θ̂. */
  standardError: number;
  /** The mixture likelihood ratio Λ. */
  statistic: number;
  /** 1/α: the test rejects when the statistic reaches it. */
  threshold: number;
  /** 1/Λ capped at 1 (the caller keeps the running minimum for an always-valid p-value). */
  pValue: number;
  rejected: boolean;
}

/**
 * The proportion used for the variance: shrunk by half an observation each way (Jeffreys), so
 * that an arm with no bad outcome yet still has a positive variance instead of a certain zero.
 */
function shrunk(arm: ArmCounts): number {
  return (arm.bad + 0.5) / (arm.n + 1);
}

/** Λ for H0: θ = θ0, with the direction of the evidence (θ̂ − θ0) left to the caller. */
/** The two arms compared: θ = p(variant) − p(baseline). */
export interface Arms {
  baseline: ArmCounts;
  variant: ArmCounts;
}

export function mixtureRatio(arms: Arms, theta0: number, options: SequentialTestOptions): MixtureResult {
  const { baseline, variant } = arms;
  const pBaseline = baseline.n === 0 ? 0 : baseline.bad / baseline.n;
  const pVariant = variant.n === 0 ? 0 : variant.bad / variant.n;
  const difference = pVariant - pBaseline;
  const threshold = 1 / options.alpha;
  if (baseline.n === 0 || variant.n === 0) {
    return { difference, standardError: Number.POSITIVE_INFINITY, statistic: 0, threshold, pValue: 1, rejected: false };
  }
  const qb = shrunk(baseline);
  const qv = shrunk(variant);
  const variance = (qb * (1 - qb)) / baseline.n + (qv * (1 - qv)) / variant.n;
  const tau2 = options.tau * options.tau;
  const gap = difference - theta0;
  const logRatio = 0.5 * Math.log(variance / (variance + tau2)) + (tau2 * gap * gap) / (2 * variance * (variance + tau2));
  const statistic = Math.exp(Math.min(logRatio, 700));
  return {
    difference,
    standardError: Math.sqrt(variance),
    statistic,
    threshold,
    pValue: Math.min(1, 1 / statistic),
    rejected: statistic >= threshold,
  };
}

/** Evidence that the variant is worse than the baseline (H0: θ ≤ 0 rejected on the upper side). */
export function harmTest(arms: Arms, options: SequentialTestOptions): MixtureResult {
  const result = mixtureRatio(arms, 0, options);
  return { ...result, rejected: result.rejected && result.difference > 0 };
}

/**
 * Evidence that the variant is no worse than the baseline by more than `margin`
 * (H0: θ ≥ margin rejected on the lower side): a non-inferiority test.
 */
export function nonInferiorityTest(arms: Arms, margin: number, options: SequentialTestOptions): MixtureResult {
  const result = mixtureRatio(arms, margin, options);
  return { ...result, rejected: result.rejected && result.difference < margin };
}
