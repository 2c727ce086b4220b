/**
 * CI gates: `METRIC[@VARIANT] OP THRESHOLD`, checked against a run's aggregates.
 *
 *   rougeL>=0.40                      every variant's mean rougeL is at least 0.40
 *   exact_match@candidate>=0.8        only the variant named "candidate"
 *   ci_low(exact_match)>=0.7          the lower end of the confidence interval
 *   exact_match>=baseline-0.02        at most 0.02 below the baseline run's mean (--baseline RUN)
 *   latency_p95_ms<=baseline*1.2      at most 20% slower than the baseline
 *   error_rate<=0.01                  built-ins: error_rate, latency_mean_ms, latency_p50_ms,
 *                                     latency_p95_ms, cost_usd, cost_per_item_usd
 *
 * OP is one of >=, >, <=, <, ==. A metric name matches a score key exactly, or `NAME_fmeasure`
 * (so `rougeL` means ROUGE-L F-measure).
 */
import { FenerError, type GateResult } from '../core/index.js';
import type { RunSummary, VariantSummary } from './aggregate.js';

export type GateOperator = '>=' | '>' | '<=' | '<' | '==';

export interface Gate {
  text: string;
  metric: string;
  statistic: 'mean' | 'ci_low' | 'ci_high';
  variant: string | undefined;
  operator: GateOperator;
  threshold: { kind: 'value'; value: number } | { kind: 'baseline'; operation: '+' | '-' | '*'; amount: number };
}

export type { GateResult };

const gatePattern = /^\s*(?:(ci_low|ci_high)\(\s*([^()\s@]+)\s*\)|([^\s<>=!@()]+))(?:@([A-Za-z0-9._-]+))?\s*(>=|<=|==|>|<)\s*(.+?)\s*$/;
const baselinePattern = /^baseline(?:\s*([+*-])\s*([0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?))?$/;

export function parseGate(text: string): Gate {
  const match = gatePattern.exec(text);
  if (!match) {
    throw new FenerError(
      'invalid_request',
      `gate "${text}": expected METRIC[@VARIANT] OP VALUE, e.g. "rougeL>=0.40" or "exact_match>=baseline-0.02"`,
      {
        param: 'gate',
      },
    );
  }
  const [, statistic, wrapped, plain, variant, operator, right] = match;
  const thresholdText = right!.replace(/\s+/g, '');
  let threshold: Gate['threshold'];
  const baseline = baselinePattern.exec(thresholdText);
  if (baseline) {
    threshold = {
      kind: 'baseline',
      operation: (baseline[1] ?? '+') as '+' | '-' | '*',
      amount: baseline[2] === undefined ? 0 : Number(baseline[2]),
    };
  } else {
    const value = Number(thresholdText);
    if (thresholdText === '' || !Number.isFinite(value)) {
      throw new FenerError('invalid_request', `gate "${text}": "${right!}" is neither a number nor baseline[+|-|*]NUMBER`, {
        param: 'gate',
      });
    }
    threshold = { kind: 'value', value };
  }
  return {
    text,
    metric: (wrapped ?? plain)!,
    statistic: (statistic ?? 'mean') as Gate['statistic'],
    variant,
    operator: operator as GateOperator,
    threshold,
  };
}

const builtIns: Record<string, (variant: VariantSummary) => number | null> = {
  error_rate: (variant) => variant.error_rate,
  latency_mean_ms: (variant) => variant.latency_ms.mean,
  latency_p50_ms: (variant) => variant.latency_ms.p50,
  latency_p95_ms: (variant) => variant.latency_ms.p95,
  cost_usd: (variant) => variant.cost_usd,
  cost_per_item_usd: (variant) => variant.cost_per_item_usd,
};

/** The gate's statistic for one variant, or a message saying why there is none. */
export function valueOf(variant: VariantSummary, metric: string, statistic: Gate['statistic']): number | string {
  const builtIn = builtIns[metric];
  if (builtIn) {
    if (statistic !== 'mean') return `${statistic}() applies to scores, not to ${metric}`;
    return builtIn(variant) ?? `${metric} is unknown for this run`;
  }
  const interval = variant.scores[metric] ?? variant.scores[`${metric}_fmeasure`];
  if (!interval) {
    const known = [...Object.keys(variant.scores), ...Object.keys(builtIns)].join(', ');
    return `variant ${variant.variant} has no score "${metric}" (known: ${known})`;
  }
  return statistic === 'mean' ? interval.mean : statistic === 'ci_low' ? interval.low : interval.high;
}

function compare(actual: number, operator: GateOperator, threshold: number): boolean {
  // Scores travel as doubles: a value equal to the threshold in its printed digits counts as equal.
  const epsilon = 1e-12 * Math.max(1, Math.abs(threshold));
  switch (operator) {
    case '>=':
      return actual >= threshold - epsilon;
    case '>':
      return actual > threshold + epsilon;
    case '<=':
      return actual <= threshold + epsilon;
    case '<':
      return actual < threshold - epsilon;
    case '==':
      return Math.abs(actual - threshold) <= epsilon;
  }
}

function baselineVariant(baseline: RunSummary, name: string): VariantSummary | undefined {
  return (
    baseline.variants.find((variant) => variant.variant === name) ?? (baseline.variants.length === 1 ? baseline.variants[0] : undefined)
  );
}

function thresholdFor(gate: Gate, variant: VariantSummary, baseline: RunSummary | undefined): number | string {
  if (gate.threshold.kind === 'value') return gate.threshold.value;
  if (!baseline) return 'the gate compares with a baseline: give --baseline RUN_ID';
  const reference = baselineVariant(baseline, variant.variant);
  if (!reference) return `baseline run ${baseline.run_id} has no variant "${variant.variant}"`;
  const value = valueOf(reference, gate.metric, gate.statistic);
  if (typeof value === 'string') return `baseline: ${value}`;
  const { operation, amount } = gate.threshold;
  return operation === '+' ? value + amount : operation === '-' ? value - amount : value * amount;
}

export function evaluateGates(gates: readonly Gate[], summary: RunSummary, baseline?: RunSummary): GateResult[] {
  const results: GateResult[] = [];
  for (const gate of gates) {
    const variants = gate.variant === undefined ? summary.variants : summary.variants.filter((variant) => variant.variant === gate.variant);
    if (variants.length === 0) {
      results.push({
        gate: gate.text,
        variant: gate.variant ?? '',
        passed: false,
        actual: null,
        threshold: null,
        message: `no variant named "${gate.variant ?? ''}"`,
      });
    }
    for (const variant of variants) {
      const actual = valueOf(variant, gate.metric, gate.statistic);
      const threshold = thresholdFor(gate, variant, baseline);
      if (typeof actual === 'string' || typeof threshold === 'string') {
        const message = typeof actual === 'string' ? actual : (threshold as string);
        results.push({
          gate: gate.text,
          variant: variant.variant,
          passed: false,
          actual: typeof actual === 'number' ? actual : null,
          threshold: null,
          message,
        });
        continue;
      }
      const passed = compare(actual, gate.operator, threshold);
      const label = gate.statistic === 'mean' ? gate.metric : `${gate.statistic}(${gate.metric})`;
      results.push({
        gate: gate.text,
        variant: variant.variant,
        passed,
        actual,
        threshold,
        message: `${label} = ${format(actual)} ${passed ? 'meets' : 'fails'} ${gate.operator} ${format(threshold)}`,
      });
    }
  }
  return results;
}

function format(value: number): string {
  return String(Number(value.toPrecision(6)));
}
