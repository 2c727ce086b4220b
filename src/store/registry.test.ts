/**
 * Conformance of the registry, deployments, policies and the audit log, run against SQLite and
 * against the real Postgres server, like store.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isFenerCode, postgresBackend, storeBackends } from '../../test/support/store-backends.js';
import type { DeploymentSpec, ModelVersionInput, Store } from './index.js';

const hosted: ModelVersionInput = {
  kind: 'hosted',
  provider: 'upstream',
  upstream_model: 'gpt-4o-mini',
  price: { input_per_mtok: 0.15, output_per_mtok: 0.6 },
  context_window: 128_000,
  licence: 'proprietary',
  tasks: ['chat'],
};

function spec(model: string, temperature: number): DeploymentSpec {
  return { prompt: 'support-reply@production', model, parameters: { temperature }, fallbacks: ['backup'] };
}

const isError = isFenerCode;

for (const backend of storeBackends('registry')) {
  describe(`registry store conformance: ${backend.name}`, () => {
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

    test('registry: models, numbered versions with a serving model, aliases, evaluations', async () => {
      const revisions = await store.revisions.all();
      const model = await store.registry.createModel({ name: 'support', projectId, description: 'support answers', actor: 'key_a' });
      assert.deepEqual([model.name, model.latest_version, model.aliases], ['support', null, {}]);
      await assert.rejects(store.registry.createModel({ name: 'support', projectId, actor: 'key_a' }), isError('conflict'));

      const first = await store.registry.addVersion({ model: 'support', version: hosted, actor: 'key_a' });
      const second = await store.registry.addVersion({
        model: 'support',
        version: {
          ...hosted,
          kind: 'fine-tuned',
          upstream_model: 'ft:gpt-4o-mini:support',
          fine_tuned_from: 'support@1',
          dataset_version: 'tickets@3',
        },
        actor: 'key_a',
      });
      assert.deepEqual([first.version, second.version], [1, 2]);
      assert.equal(second.serving_model, 'registry/support/v2');
      assert.equal(second.fine_tuned_from, 'support@1');
      const served = await store.models.get('registry/support/v2');
      assert.equal(served?.upstream_model, 'ft:gpt-4o-mini:support');
      assert.equal(served?.licence, 'proprietary');
      const bumped = await store.revisions.all();
      assert.ok(bumped.models! > (revisions.models ?? 0) && bumped.registry! > (revisions.registry ?? 0));
      await assert.rejects(store.registry.addVersion({ model: 'nobody', version: hosted, actor: 'key_a' }), isError('not_found'));

      const moved = await store.registry.moveAlias({ model: 'support', alias: 'champion', version: 1, actor: 'key_a' });
      assert.equal(moved.previous, null);
      const again = await store.registry.moveAlias({ model: 'support', alias: 'champion', version: 2, actor: 'key_b' });
      assert.equal(again.previous, 1);
      await assert.rejects(
        store.registry.moveAlias({ model: 'support', alias: 'champion', version: 9, actor: 'key_a' }),
        isError('not_found'),
      );
      assert.deepEqual((await store.registry.getModel('support'))?.aliases, { champion: 2 });

      await store.registry.addEvaluation({
        model: 'support',
        version: 2,
        evaluation: { name: 'golden', metric: 'accuracy', value: 0.91, at: 5 },
        actor: 'key_a',
      });
      await assert.rejects(
        store.registry.addEvaluation({
          model: 'support',
          version: 7,
          evaluation: { name: 'golden', metric: 'accuracy', value: 1 },
          actor: 'key_a',
        }),
        isError('not_found'),
      );
      assert.deepEqual((await store.registry.getVersion('support', 2))?.evaluations, [
        { name: 'golden', metric: 'accuracy', value: 0.91, at: 5 },
      ]);
      assert.equal((await store.registry.listVersions('support'))?.length, 2);
      assert.equal((await store.registry.getModel('support'))?.latest_version, 2);
      const table = await store.registry.servingTable();
      assert.ok(table.aliases.some((alias) => alias.model === 'support' && alias.alias === 'champion' && alias.version === 2));
      assert.ok(table.versions.some((version) => version.serving_model === 'registry/support/v1'));
    });

    test('deployments: versions, rollback to the previous or a given version, refused rollbacks', async () => {
      const created = await store.deployments.create({
        name: 'bot',
        projectId,
        spec: spec('small', 0.2),
        actor: 'key_a',
        requiresApproval: false,
      });
      assert.equal(created.active_version, 1);
      await assert.rejects(
        store.deployments.create({ name: 'bot', projectId, spec: spec('small', 0.2), actor: 'key_a', requiresApproval: false }),
        isError('conflict'),
      );
      await assert.rejects(store.deployments.rollback({ name: 'bot', actor: 'key_a', requiresApproval: false }), isError('conflict'));
      const updated = await store.deployments.update({ name: 'bot', spec: spec('large', 0.9), actor: 'key_a', requiresApproval: false });
      assert.equal(updated.active_version, 2);
      const rolled = await store.deployments.rollback({ name: 'bot', actor: 'key_a', requiresApproval: false });
      assert.equal(rolled.active_version, 3);
      const third = rolled.versions[2]!;
      assert.deepEqual(
        [third.model, third.parameters, third.prompt, third.source_version],
        ['small', { temperature: 0.2 }, 'support-reply@production', 1],
      );
      const toTwo = await store.deployments.rollback({ name: 'bot', to: 2, actor: 'key_a', requiresApproval: false });
      assert.equal(toTwo.versions.at(-1)?.model, 'large');
      await assert.rejects(
        store.deployments.rollback({ name: 'bot', to: 42, actor: 'key_a', requiresApproval: false }),
        isError('not_found'),
      );
      await assert.rejects(
        store.deployments.update({ name: 'ghost', spec: spec('small', 0), actor: 'key_a', requiresApproval: false }),
        isError('not_found'),
      );
      const active = (await store.deployments.activeAll()).find((deployment) => deployment.name === 'bot');
      assert.deepEqual([active?.version, active?.model, active?.fallbacks], [4, 'large', ['backup']]);
    });

    test('deployments: a pending change serves only after a different principal approves it', async () => {
      const before = (await store.revisions.all()).deployments ?? 0;
      await store.deployments.create({ name: 'guarded', projectId, spec: spec('small', 0), actor: 'key_a', requiresApproval: false });
      const pending = await store.deployments.update({ name: 'guarded', spec: spec('large', 1), actor: 'key_a', requiresApproval: true });
      assert.deepEqual([pending.active_version, pending.versions[1]?.status], [1, 'pending']);
      await assert.rejects(store.deployments.approve({ name: 'guarded', version: 2, actor: 'key_a' }), isError('forbidden'));
      await assert.rejects(store.deployments.approve({ name: 'guarded', version: 1, actor: 'key_b' }), isError('conflict'));
      await assert.rejects(store.deployments.approve({ name: 'guarded', version: 5, actor: 'key_b' }), isError('not_found'));
      const approved = await store.deployments.approve({ name: 'guarded', version: 2, actor: 'key_b' });
      assert.deepEqual([approved.active_version, approved.versions[1]?.approved_by], [2, 'key_b']);
      assert.ok((await store.revisions.all()).deployments! > before);
    });

    test('policies: stored as JSON per project, replaced', async () => {
      assert.equal(await store.policies.get(projectId), undefined);
      await store.policies.put({ projectId, document: { allowed_providers: ['upstream'] }, actor: 'key_a' });
      const replaced = await store.policies.put({ projectId, document: { require_approval: true }, actor: 'key_b' });
      assert.deepEqual((await store.policies.get(projectId))?.document, { require_approval: true });
      assert.equal(replaced.updated_by, 'key_b');
    });

    test('audit: every change recorded with before and after, filtered, paged, and the chain verifies', async () => {
      const aliasMoves = await store.audit.list({ objectType: 'alias', objectId: 'support@champion' });
      assert.deepEqual(
        aliasMoves.data.map((entry) => [entry.action, entry.before, entry.after]),
        [
          ['alias.move', { version: 1 }, { version: 2 }],
          ['alias.move', null, { version: 1 }],
        ],
      );
      const rollbacks = (await store.audit.list({ objectType: 'deployment', objectId: 'bot' })).data.filter(
        (entry) => entry.action === 'deployment.rollback',
      );
      assert.equal(rollbacks.length, 2);
      assert.equal((rollbacks[1]?.before as { model: string }).model, 'large');
      assert.equal((rollbacks[1]?.after as { model: string }).model, 'small');
      assert.ok((await store.audit.list({ actor: 'key_b' })).data.every((entry) => entry.actor === 'key_b'));
      assert.ok((await store.audit.list({ actor: 'key_b' })).data.some((entry) => entry.action === 'approval.grant'));

      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.audit.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.data.map((entry) => entry.seq));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => b - a),
      );
      assert.deepEqual(new Set(seen).size, seen.length);
      assert.equal(Math.min(...seen), 1);
      assert.equal((await store.audit.list({ from: Date.now() + 60_000 })).data.length, 0);
      await assert.rejects(store.audit.list({ cursor: 'garbage' }), isError('invalid_request'));

      const verified = await store.audit.verify();
      assert.deepEqual([verified.ok, verified.checked], [true, seen.length]);
      assert.match(verified.head ?? '', /^[0-9a-f]{64}$/);
    });

    test('audit: a refused change leaves no entry', async () => {
      const before = await store.audit.verify();
      await assert.rejects(store.deployments.approve({ name: 'guarded', version: 2, actor: 'key_c' }), isError('conflict'));
      assert.equal((await store.audit.verify()).checked, before.checked);
    });

    test('audit: editing or deleting a row behind the log is detected at that row', async () => {
      const entries = (await store.audit.list({ limit: 1000 })).data;
      const target = entries.find((entry) => entry.action === 'deployment.rollback')!;
      await backend.raw(`UPDATE audit_log SET after = replace(after, 'large', 'huge') WHERE seq = ${target.seq}`);
      assert.deepEqual((await store.audit.verify()).broken?.seq, target.seq);
      await backend.raw(`UPDATE audit_log SET after = replace(after, 'huge', 'large') WHERE seq = ${target.seq}`);
      assert.equal((await store.audit.verify()).ok, true);
      await backend.raw(`UPDATE audit_log SET actor = 'key_z' WHERE seq = 2`);
      assert.deepEqual((await store.audit.verify()).broken?.seq, 2);
      await backend.raw(`UPDATE audit_log SET actor = 'key_a' WHERE seq = 2`);
      await backend.raw(`DELETE FROM audit_log WHERE seq = 3`);
      const deleted = await store.audit.verify();
      assert.deepEqual([deleted.ok, deleted.broken?.seq, deleted.checked], [false, 3, 2]);
    });
  });
}

describe('audit on Postgres: concurrent appenders on two replicas never fork the chain', () => {
  const backend = postgresBackend();
  let replicas: Store[];
  before(async () => {
    replicas = [await backend.open(), await backend.open()];
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await backend.cleanup();
  });

  test('two stores appending at once leave one unbroken chain', async () => {
    const appends = Array.from({ length: 80 }, (_, index) =>
      replicas[index % 2]!.audit.append({
        actor: `key_${index % 2}`,
        action: 'test.append',
        objectType: 'test',
        objectId: String(index),
        before: null,
        after: { index },
      }),
    );
    const entries = await Promise.all(appends);
    assert.deepEqual(
      entries.map((entry) => entry.seq).sort((a, b) => a - b),
      Array.from({ length: 80 }, (_, index) => index + 1),
    );
    const verified = await replicas[1]!.audit.verify();
    assert.deepEqual([verified.ok, verified.checked], [true, 80]);
  });
});
