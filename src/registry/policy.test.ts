import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FenerError } from '../core/index.js';
import { enforcePolicy, policySchema } from './policy.js';

const small = { names: ['small'], provider: 'upstream', licence: 'proprietary' };
const tuned = { names: ['registry:support@champion', 'registry:support'], provider: 'upstream', licence: undefined };

function refusedWith(pattern: RegExp) {
  return (error: unknown) => error instanceof FenerError && error.code === 'forbidden' && pattern.test(error.message);
}

test('an empty policy allows everything and needs no approval', () => {
  const policy = policySchema.parse({});
  assert.equal(policy.require_approval, false);
  enforcePolicy(policy, 'default', [small, tuned]);
});

test('each rule refuses by name; registry models match by registry:NAME', () => {
  assert.throws(
    () => enforcePolicy(policySchema.parse({ allowed_providers: ['other'] }), 'p', [small]),
    refusedWith(/allowed_providers does not include "upstream"/),
  );
  assert.throws(
    () => enforcePolicy(policySchema.parse({ allowed_models: ['large'] }), 'p', [small]),
    refusedWith(/allowed_models does not include "small"/),
  );
  enforcePolicy(policySchema.parse({ allowed_models: ['registry:support'] }), 'p', [tuned]);
  assert.throws(
    () => enforcePolicy(policySchema.parse({ allowed_licences: ['mit'] }), 'p', [small]),
    refusedWith(/allowed_licences does not include "proprietary"/),
  );
  assert.throws(() => enforcePolicy(policySchema.parse({ allowed_licences: ['mit'] }), 'p', [tuned]), refusedWith(/has no licence/));
});

test('unknown policy fields are refused', () => {
  assert.equal(policySchema.safeParse({ allowed_vendors: [] }).success, false);
});
