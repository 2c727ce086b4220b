/** The agreement statistics against published worked examples. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cohensKappa, fleissKappa, krippendorffAlpha, percentAgreement } from './agreement.js';

const close = (actual: number | null, expected: number, digits = 3): void => {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.equal(Number(actual.toFixed(digits)), expected, `expected ${expected}, got ${actual}`);
};

function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}

describe('Cohen kappa', () => {
  test('Wikipedia worked example: 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15 → κ = 0.4', () => {
    const pairs: [string, string][] = [
      ...repeat<[string, string]>(['yes', 'yes'], 20),
      ...repeat<[string, string]>(['yes', 'no'], 5),
      ...repeat<[string, string]>(['no', 'yes'], 10),
      ...repeat<[string, string]>(['no', 'no'], 15),
    ];
    close(cohensKappa(pairs), 0.4);
  });

  test('Wikipedia: same agreement 60 %, different marginals: κ = 0.1304 and 0.2593', () => {
    const build = (a: number, b: number, c: number, d: number): [string, string][] => [
      ...repeat<[string, string]>(['yes', 'yes'], a),
      ...repeat<[string, string]>(['yes', 'no'], b),
      ...repeat<[string, string]>(['no', 'yes'], c),
      ...repeat<[string, string]>(['no', 'no'], d),
    ];
    close(cohensKappa(build(45, 15, 25, 15)), 0.1304, 4);
    close(cohensKappa(build(25, 35, 5, 35)), 0.2593, 4);
  });

  test('perfect agreement is 1; one category for everything is undefined; no data is null', () => {
    assert.equal(
      cohensKappa([
        ['a', 'a'],
        ['b', 'b'],
      ]),
      1,
    );
    assert.equal(cohensKappa(repeat<[string, string]>(['a', 'a'], 5)), null);
    assert.equal(cohensKappa([]), null);
  });
});

describe('Fleiss kappa', () => {
  test('Wikipedia worked example: 10 subjects, 14 raters, 5 categories → κ = 0.210', () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    close(fleissKappa(table), 0.21);
  });

  test('rows with different rater counts are refused (null), as Fleiss needs a constant count', () => {
    assert.equal(
      fleissKappa([
        [2, 0],
        [1, 2],
      ]),
      null,
    );
  });

  test('with two raters it is close to (not equal to) Cohen: Scott-style pooled marginals', () => {
    // 20/5/10/15 as above: pooled p(yes) = (25 + 30) / 100 = 0.55 → p_e = 0.505, κ = (0.7 − 0.505) / 0.495 = 0.394
    const rows = [...repeat([2, 0], 20), ...repeat([1, 1], 15), ...repeat([0, 2], 15)];
    close(fleissKappa(rows), 0.394);
  });
});

describe('Krippendorff alpha', () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
  // 12 units, missing data. Published: nominal α = 0.743, interval α = 0.849.
  const observers: (number | null)[][] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
    [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
  ];
  const units = observers[0]!.map((_, unit) =>
    observers.map((row) => row[unit]).filter((value): value is number => value !== null && value !== undefined),
  );

  test('nominal α = 0.743', () => close(krippendorffAlpha(units, 'nominal'), 0.743));
  test('interval α = 0.849', () => close(krippendorffAlpha(units, 'interval'), 0.849));

  test('Krippendorff (2011) section A, binary data, 2 observers, 10 units: α = 0.095', () => {
    const a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    close(
      krippendorffAlpha(
        a.map((value, index) => [value, b[index]!]),
        'nominal',
      ),
      0.095,
    );
  });

  test('perfect agreement is 1; a single value everywhere is undefined', () => {
    assert.equal(
      krippendorffAlpha(
        [
          ['a', 'a'],
          ['b', 'b', 'b'],
        ],
        'nominal',
      ),
      1,
    );
    assert.equal(
      krippendorffAlpha(
        [
          ['a', 'a'],
          ['a', 'a'],
        ],
        'nominal',
      ),
      null,
    );
  });
});

describe('percentage agreement', () => {
  test('pairs that agree within each item, averaged over items; lone answers ignored', () => {
    // item 1: 3 of 3 pairs agree; item 2: 1 of 3 (a,a,b); item 3: one answer, ignored
    close(percentAgreement([['a', 'a', 'a'], ['a', 'a', 'b'], ['c']]), 0.667);
    assert.equal(percentAgreement([['x']]), null);
  });
});
