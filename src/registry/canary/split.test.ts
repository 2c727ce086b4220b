import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseVariant } from './split.js';

const variants = [
  { name: 'baseline', percent: 80 },
  { name: 'canary', percent: 20 },
];

test('the same key always gets the same variant; a different canary id reshuffles', () => {
  const first = chooseVariant(variants, 'user-42', 'can_1').name;
  for (let i = 0; i < 5; i++) assert.equal(chooseVariant(variants, 'user-42', 'can_1').name, first);
  const moved = Array.from({ length: 200 }, (_, i) => `user-${i}`).filter(
    (user) => chooseVariant(variants, user, 'can_1').name !== chooseVariant(variants, user, 'can_2').name,
  );
  assert.ok(moved.length > 20, `${moved.length} of 200 users changed variant between canaries`);
});

test('shares follow the percentages over many keys; 0% gets nothing', () => {
  let canary = 0;
  for (let i = 0; i < 20_000; i++) if (chooseVariant(variants, `user-${i}`, 'can_x').name === 'canary') canary++;
  assert.ok(Math.abs(canary / 20_000 - 0.2) < 0.015, String(canary / 20_000));
  const none = [
    { name: 'a', percent: 100 },
    { name: 'b', percent: 0 },
  ];
  for (let i = 0; i < 1000; i++) assert.equal(chooseVariant(none, `u${i}`, 's').name, 'a');
});
