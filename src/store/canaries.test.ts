/**
 * Canary and A/B releases of deployments: the same conformance suite on SQLite and on the real
 * Postgres server — starting (with a candidate version), approvals by a second person, counters
 * added from several replicas, evaluations, decisions recorded with their evidence, the state
 * guard that lets only one of two replicas decide, and a deployment rollback ending a canary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isFenerCode, storeBackends } from '../../test/support/store-backends.js';
import type { DeploymentSpec, Store } from './index.js';

const spec = (model: string): DeploymentSpec => ({ prompt: null, model, parameters: { temperature: 0 }, fallbacks: [] });
const isCode = isFenerCode;

for (const backend of storeBackends('canaries')) {
  describe(`canary store conformance: ${backend.name}`, () => {
    let store: Store;
    let projectId: string;
    before(async () => {
      store = await backend.open();
      projectId = (await store.projects.ensure('default')).id;
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    const deploy = async (name: string, requiresApproval = false): Promise<void> => {
      await store.deployments.create({ name, projectId, spec: spec('small'), actor: 'key_author', requiresApproval });
    };
    const start = (deployment: string, options: { requiresApproval?: boolean; actor?: string } = {}) =>
      store.canaries.start({
        deployment,
        baseline: 'baseline',
        variants: [
          { name: 'baseline', percent: 90 },
          { name: 'candidate', percent: 10, spec: spec('large') },
        ],
        settings: { min_requests: 100 },
        actor: options.actor ?? 'key_author',
        requiresApproval: options.requiresApproval ?? false,
      });

    test('start: a new spec becomes a candidate version; one open canary per deployment; the resolver sees its variants', async () => {
      await deploy('waiting', true);
      await assert.rejects(start('waiting'), isCode('conflict'), 'no active version to compare with');
      await assert.rejects(start('nowhere'), isCode('not_found'));

      await deploy('bot');
      const canary = await start('bot');
      assert.match(canary.id, /^can_/);
      assert.equal(canary.status, 'running');
      assert.ok(canary.started_at !== null);
      assert.deepEqual(canary.variants, [
        { name: 'baseline', percent: 90, version: 1 },
        { name: 'candidate', percent: 10, version: 2 },
      ]);
      assert.deepEqual(canary.settings, { min_requests: 100 });
      const deployment = await store.deployments.get('bot');
      assert.equal(deployment?.active_version, 1, 'the candidate does not serve alone');
      assert.deepEqual(
        deployment?.versions.map((version) => [version.version, version.status]),
        [
          [1, 'approved'],
          [2, 'candidate'],
        ],
      );
      await assert.rejects(start('bot'), isCode('conflict'));
      await assert.rejects(
        store.deployments.update({ name: 'bot', spec: spec('other'), actor: 'key_author', requiresApproval: false }),
        isCode('conflict'),
      );
      assert.deepEqual(
        (await store.canaries.running()).map((running) => running.id),
        [canary.id],
      );
      const [active] = await store.canaries.activeAll();
      assert.deepEqual(
        active?.variants.map((variant) => [variant.name, variant.version, variant.model]),
        [
          ['baseline', 1, 'small'],
          ['candidate', 2, 'large'],
        ],
      );
      assert.equal((await store.canaries.current('bot'))?.id, canary.id);
      assert.equal(await store.canaries.current('waiting'), undefined);
    });

    test('counts from two replicas add up; an evaluation and its latency bound are kept while running', async () => {
      const canary = (await store.canaries.current('bot'))!;
      const replica = await backend.open();
      try {
        await Promise.all([
          store.canaries.addCounts([
            { canaryId: canary.id, variant: 'baseline', metric: 'requests', count: 40 },
            { canaryId: canary.id, variant: 'candidate', metric: 'requests', count: 4 },
          ]),
          replica.canaries.addCounts([
            { canaryId: canary.id, variant: 'baseline', metric: 'requests', count: 50 },
            { canaryId: canary.id, variant: 'candidate', metric: 'errors', count: 1 },
          ]),
        ]);
        await replica.canaries.addCounts([{ canaryId: canary.id, variant: 'candidate', metric: 'requests', count: 6 }]);
        await store.canaries.addCounts([]);
      } finally {
        await replica.close();
      }
      assert.deepEqual(await store.canaries.counts(canary.id), {
        baseline: { requests: 90 },
        candidate: { requests: 10, errors: 1 },
      });

      const evaluation = { verdict: 'continue', p_value: 0.4 };
      const snapshot = { baseline: { n: 90, over: 3 }, candidate: { n: 10, over: 1 } };
      await store.canaries.saveEvaluation({ id: canary.id, evaluation, latency: { thresholdMs: 850, snapshot } });
      await store.canaries.saveEvaluation({ id: canary.id, evaluation: { verdict: 'continue', p_value: 0.3 } });
      const saved = (await store.canaries.current('bot'))!;
      assert.deepEqual(saved.last_evaluation, { verdict: 'continue', p_value: 0.3 });
      assert.equal(saved.latency_threshold_ms, 850, 'the bound stays fixed once set');
      assert.deepEqual(saved.latency_snapshot, snapshot);
      assert.ok(saved.evaluated_at !== null && saved.evaluated_at >= saved.created_at);
    });

    test('promotion: requested, then decided once — two replicas deciding together make one decision', async () => {
      const canary = (await store.canaries.current('bot'))!;
      const requested = await store.canaries.requestPromotion({ id: canary.id, deployment: 'bot', variant: 'candidate', actor: 'key_ann' });
      assert.deepEqual([requested.promotion_request?.variant, requested.promotion_request?.requested_by], ['candidate', 'key_ann']);

      const replica = await backend.open();
      let outcomes;
      try {
        outcomes = await Promise.all([
          store.canaries.decide({
            id: canary.id,
            action: 'promote',
            variant: 'candidate',
            evidence: { p: 0.01 },
            actor: 'key_bob',
            reason: 'manual promotion',
            approvedBy: 'key_bob',
          }),
          replica.canaries.decide({ id: canary.id, action: 'rollback', evidence: { p: 0.9 }, actor: 'evaluator', reason: 'error rate' }),
        ]);
      } finally {
        await replica.close();
      }
      const decided = outcomes.filter((outcome) => outcome !== undefined);
      assert.equal(decided.length, 1, 'the second decision finds the canary no longer running');
      const final = (await store.canaries.current('bot'))!;
      assert.equal(final.decisions.length, 1);
      assert.equal(final.status, final.decisions[0]!.action === 'promote' ? 'promoted' : 'rolled_back');
      assert.ok(final.ended_at !== null);
      const deployment = (await store.deployments.get('bot'))!;
      if (final.status === 'promoted') {
        assert.equal(deployment.active_version, 2);
        assert.deepEqual([deployment.versions[1]?.status, deployment.versions[1]?.approved_by], ['approved', 'key_bob']);
        assert.deepEqual(final.decisions[0]!.evidence, { reason: 'manual promotion', variant: 'candidate', evidence: { p: 0.01 } });
      } else {
        assert.equal(deployment.active_version, 1, 'a rollback leaves the baseline serving');
        assert.equal(deployment.versions[1]?.status, 'candidate');
      }
      assert.deepEqual(await store.canaries.running(), []);
      assert.deepEqual(await store.canaries.activeAll(), []);
      assert.equal(
        await store.canaries.decide({ id: canary.id, action: 'abort', evidence: null, actor: 'key_ann', reason: 'late' }),
        undefined,
      );
      await store.canaries.saveEvaluation({ id: canary.id, evaluation: { verdict: 'late' } });
      assert.deepEqual((await store.canaries.current('bot'))!.last_evaluation, { verdict: 'continue', p_value: 0.3 }, 'not once ended');
      await assert.rejects(
        store.canaries.requestPromotion({ id: canary.id, deployment: 'bot', variant: 'candidate', actor: 'key_ann' }),
        isCode('conflict'),
      );

      const audit = await store.audit.list({ objectType: 'deployment', objectId: 'bot' });
      const actions = audit.data.map((entry) => entry.action);
      assert.deepEqual(actions.slice(0, 3), [`canary.${final.decisions[0]!.action}`, 'canary.promotion_request', 'canary.start']);
      assert.equal((await store.audit.verify()).ok, true);
    });

    test('approval by a second person; a pending canary can be aborted; a deployment rollback ends a running one', async () => {
      await deploy('gated');
      await store.deployments.update({ name: 'gated', spec: spec('medium'), actor: 'key_author', requiresApproval: false });
      const pending = await start('gated', { requiresApproval: true });
      assert.deepEqual([pending.status, pending.started_at], ['pending', null]);
      assert.deepEqual(await store.canaries.activeAll(), [], 'a pending canary takes no traffic');
      await assert.rejects(store.canaries.approve({ deployment: 'gated', actor: 'key_author' }), isCode('forbidden'));
      const approved = await store.canaries.approve({ deployment: 'gated', actor: 'key_reviewer' });
      assert.deepEqual([approved.status, approved.approved_by], ['running', 'key_reviewer']);
      await assert.rejects(store.canaries.approve({ deployment: 'gated', actor: 'key_reviewer' }), isCode('conflict'));

      await store.deployments.rollback({ name: 'gated', actor: 'key_oncall', requiresApproval: false });
      const stopped = (await store.canaries.current('gated'))!;
      assert.deepEqual(
        [stopped.id, stopped.status, stopped.ended_by, stopped.end_reason],
        [approved.id, 'aborted', 'key_oncall', 'the deployment was rolled back'],
      );
      assert.equal((await store.deployments.get('gated'))?.active_version, 4, 'the rollback is a new version copying v1');

      await deploy('dropped');
      const waiting = await start('dropped', { requiresApproval: true });
      const aborted = await store.canaries.decide({
        id: waiting.id,
        action: 'abort',
        evidence: null,
        actor: 'key_author',
        reason: 'not needed',
      });
      assert.equal(aborted?.status, 'aborted');
      assert.deepEqual(
        aborted?.decisions.map((decision) => [decision.seq, decision.action, decision.actor]),
        [[1, 'abort', 'key_author']],
      );
      const next = await start('dropped');
      assert.equal(next.status, 'running', 'an ended canary leaves room for the next');
      assert.equal((await store.canaries.current('dropped'))?.id, next.id);
    });
  });
}
