import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary, VariantSummary } from './aggregate.js';
import { evaluateGates, parseGate } from './gates.js';

function variant(name: string, exact: number, rouge: number): VariantSummary {
  return {
    variant: name,
    model: name,
    items: 10,
    errors: 1,
    error_rate: 0.1,
    scores: {
      exact_match: { mean: exact, low: exact - 0.1, high: exact + 0.1, n: 9 },
      rougeL_fmeasure: { mean: rouge, low: rouge, high: rouge, n: 9 },
    },
    latency_ms: { mean: 100, p50: 90, p95: 200 },
    tokens: { input: 10, output: 10 },
    cost_usd: 0.5,
    cost_per_item_usd: 0.05,
  };
}

const summary = (id: string, ...variants: VariantSummary[]): RunSummary => ({
  run_id: id,
  experiment: 'x',
  seed: 0,
  bootstrap: { iterations: 1000, confidence: 0.95 },
  variants,
});

test('parses every documented gate form', () => {
  assert.deepEqual(parseGate('rougeL>=0.40'), {
    text: 'rougeL>=0.40',
    metric: 'rougeL',
    statistic: 'mean',
    variant: undefined,
    operator: '>=',
    threshold: { kind: 'value', value: 0.4 },
  });
  const regression = parseGate(' exact_match@candidate >= baseline - 0.02 ');
  assert.equal(regression.variant, 'candidate');
  assert.deepEqual(regression.threshold, { kind: 'baseline', operation: '-', amount: 0.02 });
  assert.deepEqual(parseGate('latency_p95_ms<=baseline*1.2').threshold, { kind: 'baseline', operation: '*', amount: 1.2 });
  assert.deepEqual(parseGate('x==baseline').threshold, { kind: 'baseline', operation: '+', amount: 0 });
  assert.equal(parseGate('ci_low(judge.helpful)>3').statistic, 'ci_low');
  assert.equal(parseGate('ci_low(judge.helpful)>3').metric, 'judge.helpful');
  assert.equal(parseGate('error_rate<0.5').operator, '<');
});

test('refuses malformed gates with a message naming the syntax', () => {
  for (const bad of ['rougeL', 'rougeL=>0.4', '>=0.4', 'rougeL>=', 'rougeL>=abc', 'rougeL>=baseline/2', 'rougeL>=0.4 extra']) {
    assert.throws(() => parseGate(bad), /gate "/, bad);
  }
});

test('evaluates absolute gates per variant, with F-measure aliases and built-ins', () => {
  const run = summary('run_b', variant('a', 0.8, 0.45), variant('b', 0.5, 0.35));
  const results = evaluateGates(['rougeL>=0.40', 'exact_match@a>0.79', 'error_rate<=0.1', 'ci_high(exact_match)>=0.6'].map(parseGate), run);
  assert.deepEqual(
    results.map((result) => [result.gate, result.variant, result.passed]),
    [
      ['rougeL>=0.40', 'a', true],
      ['rougeL>=0.40', 'b', false],
      ['exact_match@a>0.79', 'a', true],
      ['error_rate<=0.1', 'a', true],
      ['error_rate<=0.1', 'b', true],
      ['ci_high(exact_match)>=0.6', 'a', true],
      ['ci_high(exact_match)>=0.6', 'b', true],
    ],
  );
  assert.match(results[1]!.message, /rougeL = 0\.35(00)? fails >= 0\.4/);
});

test('baseline gates bound the regression, and fail clearly without a baseline or a metric', () => {
  const baseline = summary('run_a', variant('only', 0.8, 0.4));
  const slightlyWorse = summary('run_b', variant('new', 0.79, 0.4));
  const muchWorse = summary('run_c', variant('new', 0.7, 0.4));
  const gate = [parseGate('exact_match>=baseline-0.02')];
  assert.equal(evaluateGates(gate, slightlyWorse, baseline)[0]!.passed, true);
  assert.equal(evaluateGates(gate, muchWorse, baseline)[0]!.passed, false);
  assert.match(evaluateGates(gate, muchWorse)[0]!.message, /--baseline/);
  const missing = evaluateGates([parseGate('bleu>=1')], muchWorse)[0]!;
  assert.equal(missing.passed, false);
  assert.match(missing.message, /no score "bleu"/);
  assert.equal(evaluateGates([parseGate('x@nobody>=1')], muchWorse)[0]!.passed, false);
  // Equal at the printed precision passes ">=".
  assert.equal(evaluateGates([parseGate('exact_match>=0.79')], slightlyWorse)[0]!.passed, true);
});
