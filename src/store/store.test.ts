/** One conformance suite, run against SQLite and against the real Postgres server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeBackends } from '../../test/support/store-backends.js';
import { FenerError } from '../core/index.js';
import type { Store, TraceRow } from './index.js';
import { traceRow } from '../../test/support/trace-rows.js';

for (const backend of storeBackends('store')) {
  describe(`store conformance: ${backend.name}`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    test('migrations are idempotent and reopening keeps data', async () => {
      const again = await store.migrate();
      assert.deepEqual(again.applied, []);
      await store.projects.ensure('kept');
      await store.close();
      store = await backend.open();
      assert.ok(await store.projects.findByName('kept'));
    });

    test('projects: ensure is idempotent, create refuses duplicates', async () => {
      const first = await store.projects.ensure('default');
      const second = await store.projects.ensure('default');
      assert.equal(first.id, second.id);
      await assert.rejects(store.projects.create('default'), (error: unknown) => error instanceof FenerError && error.code === 'conflict');
      const created = await store.projects.create('team-a');
      assert.match(created.id, /^prj_/);
      assert.ok((await store.projects.list()).some((project) => project.name === 'team-a'));
    });

    test('keys: stored hashed, found by secret, revoked, revision bumped', async () => {
      const project = await store.projects.ensure('default');
      const before = await store.revisions.all();
      const { key, secret } = await store.keys.create({ projectId: project.id, name: 'ci', kind: 'project' });
      assert.match(secret, /^sk-fener-/);
      assert.ok(key.hint.startsWith(secret.slice(0, 10)));
      assert.equal((await store.keys.findBySecret(secret))?.id, key.id);
      assert.equal(await store.keys.findBySecret(`${secret}x`), undefined);
      assert.ok((await store.keys.list({ projectId: project.id })).some((listed) => listed.id === key.id));
      const revoked = await store.keys.revoke(key.id);
      assert.ok(revoked?.revokedAt);
      assert.ok(!(await store.keys.list({ projectId: project.id })).some((listed) => listed.id === key.id));
      assert.ok((await store.keys.list({ includeRevoked: true })).some((listed) => listed.id === key.id));
      assert.ok((await store.revisions.all()).keys! > (before.keys ?? 0));
      assert.equal(await store.keys.revoke('key_missing'), undefined);
    });

    test('keys: a project key needs a project; admin key detection', async () => {
      await assert.rejects(store.keys.create({ projectId: null, name: 'x', kind: 'project' }), FenerError);
      assert.equal(await store.keys.hasActiveAdminKey(), false);
      await store.keys.create({ projectId: null, name: 'admin', kind: 'admin' });
      assert.equal(await store.keys.hasActiveAdminKey(), true);
    });

    test('keys: limits and budget round-trip, partial updates, clearing, revision bump', async () => {
      const project = await store.projects.ensure('limited');
      const { key } = await store.keys.create({
        projectId: project.id,
        name: 'limited',
        kind: 'project',
        limits: { rpm: 60, tpm: 10_000 },
        budget: { usd: 12.5, period: 'month' },
      });
      assert.deepEqual(key.limits, { rpm: 60, tpm: 10_000 });
      assert.deepEqual(key.budget, { usd: 12.5, period: 'month' });
      const stored = await store.keys.get(key.id);
      assert.deepEqual(
        [stored?.limits, stored?.budget],
        [
          { rpm: 60, tpm: 10_000 },
          { usd: 12.5, period: 'month' },
        ],
      );

      const before = (await store.revisions.all()).keys ?? 0;
      const changed = await store.keys.update(key.id, { limits: { rpm: 120 } });
      assert.deepEqual(changed?.limits, { rpm: 120, tpm: 10_000 }, 'an absent field is left alone');
      assert.ok((await store.revisions.all()).keys! > before);
      const cleared = await store.keys.update(key.id, { limits: { tpm: null }, budget: null });
      assert.deepEqual(cleared?.limits, { rpm: 120 });
      assert.equal(cleared?.budget, undefined);
      const daily = await store.keys.update(key.id, { budget: { usd: 0.25, period: 'day' } });
      assert.deepEqual(daily?.budget, { usd: 0.25, period: 'day' });
      assert.deepEqual((await store.keys.list({ projectId: project.id })).find((listed) => listed.id === key.id)?.budget, daily?.budget);

      assert.equal(await store.keys.update('key_missing', { limits: { rpm: 1 } }), undefined);
      const plain = await store.keys.create({ projectId: project.id, name: 'plain', kind: 'project' });
      assert.deepEqual([plain.key.limits, plain.key.budget], [{}, undefined]);
      for (const [update, param] of [
        [{ budget: { usd: -1, period: 'day' } }, 'budget.usd'],
        [{ budget: { usd: 0, period: 'month' } }, 'budget.usd'],
        [{ limits: { rpm: 0 } }, 'limits.rpm'],
        [{ limits: { tpm: 1.5 } }, 'limits.tpm'],
      ] as const) {
        await assert.rejects(store.keys.update(key.id, update), (error: unknown) => error instanceof FenerError && error.param === param);
      }
    });

    test('projects: limits and budget, update by name, keys revision bumped', async () => {
      await store.projects.create('budgeted');
      const before = (await store.revisions.all()).keys ?? 0;
      const updated = await store.projects.update('budgeted', {
        limits: { rpm: 600, tpm: 100_000 },
        budget: { usd: 100, period: 'total' },
      });
      assert.deepEqual(updated?.limits, { rpm: 600, tpm: 100_000 });
      assert.deepEqual(updated?.budget, { usd: 100, period: 'total' });
      assert.ok((await store.revisions.all()).keys! > before);
      const listed = (await store.projects.list()).find((project) => project.name === 'budgeted');
      assert.deepEqual(listed?.budget, { usd: 100, period: 'total' });
      assert.deepEqual((await store.projects.get(listed!.id))?.limits, { rpm: 600, tpm: 100_000 });
      assert.equal(await store.projects.update('nobody', { budget: null }), undefined);
      assert.deepEqual((await store.projects.ensure('unlimited')).limits, {});
    });

    test('traces: spend sums cost since a time, by key or by project', async () => {
      const base = 1_800_000_000_000;
      await store.traces.insertMany([
        traceRow({ id: 'trc_spend_1', created_at: base - 1, key_id: 'key_s', project_id: 'prj_s', cost_usd: 5 }),
        traceRow({ id: 'trc_spend_2', created_at: base, key_id: 'key_s', project_id: 'prj_s', cost_usd: 0.25 }),
        traceRow({ id: 'trc_spend_3', created_at: base + 10, key_id: 'key_s', project_id: 'prj_s', cost_usd: 0.5, status: 'error' }),
        traceRow({ id: 'trc_spend_4', created_at: base + 20, key_id: 'key_t', project_id: 'prj_s', cost_usd: 1 }),
      ]);
      assert.equal(await store.traces.spend({ keyId: 'key_s', since: base }), 0.75);
      assert.equal(await store.traces.spend({ projectId: 'prj_s', since: base }), 1.75);
      assert.equal(await store.traces.spend({ projectId: 'prj_s', since: 0 }), 6.75);
      assert.equal(await store.traces.spend({ keyId: 'key_none', since: 0 }), 0);
    });

    test('models: upsert replaces, optional fields round-trip, remove', async () => {
      await store.models.upsert({
        name: 'small',
        provider: 'upstream',
        upstream_model: 'gpt-4o-mini',
        price: { input_per_mtok: 0.15, output_per_mtok: 0.6 },
        tasks: ['chat'],
      });
      const replaced = await store.models.upsert({
        name: 'small',
        provider: 'upstream',
        upstream_model: 'gpt-4o-mini-2024',
        price: { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
        context_window: 128000,
        licence: 'proprietary',
        tasks: ['chat', 'embeddings'],
      });
      assert.equal(replaced.upstream_model, 'gpt-4o-mini-2024');
      assert.equal(replaced.price.cached_input_per_mtok, 0.075);
      assert.equal(replaced.context_window, 128000);
      assert.deepEqual(replaced.tasks, ['chat', 'embeddings']);
      assert.equal((await store.models.list()).length, 1);
      assert.equal(await store.models.remove('small'), true);
      assert.equal(await store.models.remove('small'), false);
    });

    test('traces: batch insert, filters, cursor pagination without gaps or repeats', async () => {
      const base = 1_700_000_000_000;
      const rows: TraceRow[] = [];
      for (let i = 0; i < 1200; i++) {
        rows.push(
          traceRow({
            id: `trc_${String(i).padStart(6, '0')}`,
            // Pairs share a timestamp so the cursor must break ties on id.
            created_at: base + Math.floor(i / 2),
            model: i % 3 === 0 ? 'large' : 'small',
            status: i % 10 === 0 ? 'error' : 'ok',
            end_user: i % 4 === 0 ? 'alice' : null,
            metadata: i % 5 === 0 ? JSON.stringify({ feature: 'search', tier: 'gold' }) : null,
          }),
        );
      }
      await store.traces.insertMany(rows);
      assert.equal(await store.traces.count({ projectId: 'prj_a' }), 1200);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.traces.list({ projectId: 'prj_a', limit: 97, ...(cursor ? { cursor } : {}) });
        seen.push(...page.data.map((trace) => trace.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 1200);
      assert.equal(new Set(seen).size, 1200);
      assert.equal(seen[0], 'trc_001199');

      const large = await store.traces.list({ model: 'large', limit: 500 });
      assert.equal(large.data.length, 400);
      const errors = await store.traces.list({ status: 'error', endUser: 'alice', limit: 500 });
      assert.ok(errors.data.every((trace) => trace.status === 'error' && trace.end_user === 'alice'));
      assert.equal(errors.data.length, 60);
      const tagged = await store.traces.list({ metadata: { feature: 'search' }, limit: 500 });
      assert.equal(tagged.data.length, 240);
      const window = await store.traces.list({ from: base + 10, to: base + 20, limit: 500 });
      assert.equal(window.data.length, 20);

      const one = await store.traces.get('trc_000005');
      assert.deepEqual(one?.request_body, { messages: [] });
      assert.equal(one?.stream, false);
      assert.equal(one?.cost_usd, 0.000123);
      assert.equal(one?.created_at, base + 2);
      await assert.rejects(store.traces.list({ cursor: 'garbage' }), FenerError);
    });
  });
}
