/**
 * The sequential test's guarantees, by simulation with a seeded generator: its type-I error stays
 * under α when it is looked at after every batch (where a fixed-sample z-test, looked at the
 * same way, does not), and it finds an obvious difference quickly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harmTest, nonInferiorityTest, type ArmCounts } from './statistics.js';

/** mulberry32: small, fast, and the same sequence for the same seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  pBaseline: number;
  pVariant: number;
  /** Share of requests sent to the variant. */
  share: number;
  requests: number;
  lookEvery: number;
  minSamples: number;
}

/** Returns the request count at which `reject` first said yes, or undefined. */
function simulate(random: () => number, run: Run, reject: (baseline: ArmCounts, variant: ArmCounts) => boolean): number | undefined {
  const baseline = { n: 0, bad: 0 };
  const variant = { n: 0, bad: 0 };
  for (let request = 1; request <= run.requests; request++) {
    const arm = random() < run.share ? variant : baseline;
    const p = arm === variant ? run.pVariant : run.pBaseline;
    arm.n++;
    if (random() < p) arm.bad++;
    if (request % run.lookEvery === 0 && baseline.n >= run.minSamples && variant.n >= run.minSamples && reject(baseline, variant)) {
      return request;
    }
  }
  return undefined;
}

function rejectionRate(seed: number, runs: number, run: Run, reject: (b: ArmCounts, v: ArmCounts) => boolean): number {
  const random = seeded(seed);
  let rejected = 0;
  for (let index = 0; index < runs; index++) if (simulate(random, run, reject) !== undefined) rejected++;
  return rejected / runs;
}

/** The fixed-sample two-proportion z-test at 0.05, one-sided, misused by looking repeatedly. */
function naiveZ(baseline: ArmCounts, variant: ArmCounts): boolean {
  const pooled = (baseline.bad + variant.bad) / (baseline.n + variant.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.n + 1 / variant.n));
  return se > 0 && (variant.bad / variant.n - baseline.bad / baseline.n) / se > 1.645;
}

const options = { alpha: 0.05, tau: 0.05 };
const runs = 400;
const null10: Run = { pBaseline: 0.1, pVariant: 0.1, share: 0.2, requests: 5000, lookEvery: 25, minSamples: 100 };

test('harm test: type-I error under 200 looks stays below alpha; the naive z-test looked at the same way does not', () => {
  const sequential = rejectionRate(7, runs, null10, (b, v) => harmTest({ baseline: b, variant: v }, options).rejected);
  const naive = rejectionRate(7, runs, null10, naiveZ);
  // Monte Carlo standard error at 0.05 over 400 runs is ~0.011; 0.05 + 2 SE.
  assert.ok(sequential <= 0.072, `sequential false alarms ${sequential}`);
  assert.ok(naive > 0.15, `the naive test should be fooled by repeated looks (${naive})`);
});

test('harm test holds its level at a low base rate too (1% errors, 50% split)', () => {
  const rate = rejectionRate(
    11,
    runs,
    { ...null10, pBaseline: 0.01, pVariant: 0.01, share: 0.5 },
    (b, v) => harmTest({ baseline: b, variant: v }, options).rejected,
  );
  assert.ok(rate <= 0.072, `false alarms ${rate}`);
});

test('harm test: an obvious difference (2% → 20% errors) is found in every run, within a few hundred variant requests', () => {
  const random = seeded(3);
  const run: Run = { pBaseline: 0.02, pVariant: 0.2, share: 0.2, requests: 5000, lookEvery: 10, minSamples: 50 };
  const stops: number[] = [];
  for (let index = 0; index < 200; index++) {
    const stop = simulate(random, run, (b, v) => harmTest({ baseline: b, variant: v }, options).rejected);
    assert.ok(stop !== undefined, `run ${index} never rejected`);
    stops.push(stop);
  }
  stops.sort((a, b) => a - b);
  const median = stops[stops.length / 2] ?? Infinity;
  assert.ok(median < 1500, `median stop after ${median} requests (~${median * 0.2} on the variant)`);
});

test('non-inferiority: at the margin it rejects at most alpha; with equal rates it proves non-inferiority', () => {
  const margin = 0.05;
  const atMargin = rejectionRate(
    5,
    runs,
    { ...null10, pVariant: 0.15 },
    (b, v) => nonInferiorityTest({ baseline: b, variant: v }, margin, options).rejected,
  );
  assert.ok(atMargin <= 0.072, `false promotions ${atMargin}`);
  const equal = rejectionRate(
    9,
    100,
    { ...null10, share: 0.5 },
    (b, v) => nonInferiorityTest({ baseline: b, variant: v }, margin, options).rejected,
  );
  assert.ok(equal >= 0.9, `power ${equal}`);
});

test('no data means no decision; a better variant is never called harmful', () => {
  assert.equal(harmTest({ baseline: { n: 0, bad: 0 }, variant: { n: 10, bad: 10 } }, options).rejected, false);
  const better = harmTest({ baseline: { n: 1000, bad: 200 }, variant: { n: 1000, bad: 10 } }, options);
  assert.equal(better.rejected, false);
  assert.ok(better.difference < 0);
  const worse = harmTest({ baseline: { n: 1000, bad: 10 }, variant: { n: 1000, bad: 200 } }, options);
  assert.equal(worse.rejected, true);
  assert.ok(worse.statistic >= worse.threshold && worse.pValue <= 0.05);
});
