import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryState } from './index.js';

test('memory state: every kind of entry expires and the sweep frees it', async () => {
  let now = 1_000_000;
  const state = createMemoryState({ clock: () => now, sweepIntervalMs: 60_000 });
  await state.consume({ key: 'window', amount: 1, limit: 10, windowMs: 1000 });
  await state.reserve({ key: 'budget', amount: 1, limit: 10, ttlMs: 1000, initialSpent: 0 });
  await state.breakerFailure({ key: 'breaker', threshold: 1, openMs: 100 });
  await state.breakerTryProbe({ key: 'breaker', probeMs: 100 });
  await state.set('value', 'v', 1000);
  await state.listPush('list', 'v', { max: 5, ttlMs: 1000 });
  assert.equal(state.size, 6);
  now += 1999;
  assert.equal(state.sweep(), 4, 'the budget, probe, value and list are gone; the window lives for two of its lengths');
  now += 60_000;
  assert.equal(state.sweep(), 2, 'the window and the breaker (kept for 60 s after its last failure)');
  assert.equal(state.size, 0);
  assert.equal((await state.readBudget('budget')).missing, true);
  await state.close();
});

test('memory state: cached values are capped, oldest written first', async () => {
  const state = createMemoryState({ maxValues: 3 });
  for (const key of ['a', 'b', 'c', 'd']) await state.set(key, key, 60_000);
  await state.set('b', 'b2', 60_000);
  await state.set('e', 'e', 60_000);
  assert.equal(await state.get('a'), undefined);
  assert.equal(await state.get('c'), undefined);
  assert.deepEqual([await state.get('b'), await state.get('d'), await state.get('e')], ['b2', 'd', 'e']);
  await state.close();
});

test('memory state: the periodic sweep runs on its own', async () => {
  const state = createMemoryState({ sweepIntervalMs: 20 });
  await state.set('short', 'v', 10);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(state.size, 0);
  await state.close();
});
