import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatResetDuration } from './reset-format.js';

test('reset durations are written the way OpenAI writes them', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [-5, '0s'],
    [0.2, '1ms'],
    [120, '120ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [17_250, '17.25s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [72_001, '1m12.001s'],
    [3_600_000, '1h0m0s'],
    [3_723_500, '1h2m3.5s'],
    [90_000_000, '25h0m0s'],
  ];
  for (const [ms, expected] of cases) assert.equal(formatResetDuration(ms), expected, `${ms} ms`);
});
