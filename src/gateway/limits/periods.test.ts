import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counterTtlMs, periodWindow } from './periods.js';

test('days and months are UTC calendar periods', () => {
  const lastMs = Date.UTC(2026, 10, 30, 23, 59, 59, 999);
  assert.deepEqual(periodWindow('day', lastMs), { id: 'day:2026-11-30', start: Date.UTC(2026, 10, 30), end: Date.UTC(2026, 11, 1) });
  assert.deepEqual(periodWindow('day', lastMs + 1), { id: 'day:2026-12-01', start: Date.UTC(2026, 11, 1), end: Date.UTC(2026, 11, 2) });
  assert.deepEqual(periodWindow('month', lastMs), { id: 'month:2026-11', start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 11, 1) });
  assert.equal(periodWindow('month', Date.UTC(2026, 11, 31, 23, 59)).end, Date.UTC(2027, 0, 1), 'December rolls into the next year');
  assert.equal(periodWindow('month', Date.UTC(2028, 1, 29, 12)).id, 'month:2028-02');
  assert.deepEqual(periodWindow('total', lastMs), { id: 'total', start: 0, end: undefined });
});

test('a counter lives until its period ends, plus an hour', () => {
  const now = Date.UTC(2026, 10, 30, 23, 0);
  assert.equal(counterTtlMs(periodWindow('day', now), now), 2 * 60 * 60_000);
  assert.equal(counterTtlMs(periodWindow('total', now), now), 30 * 24 * 60 * 60_000);
});
