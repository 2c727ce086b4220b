/** Dataset versions: the same conformance suite on SQLite and on the real Postgres server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeBackends } from '../../test/support/store-backends.js';
import type { Store } from './index.js';

const item = (id: string, body: string) => ({
  id,
  contentHash: `sha256:${body}`,
  body: JSON.stringify({ input: { messages: [{ role: 'user', content: body }] } }),
});

for (const backend of storeBackends('datasets')) {
  describe(`dataset store conformance: ${backend.name}`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    test('versions are numbered on commit, share bodies, diff by id, and identical content is one version', async () => {
      const project = await store.projects.ensure('default');
      const dataset = await store.datasets.create({ projectId: project.id, name: 'qa', actor: 'key_a' });
      const first = await store.datasets.startVersion(dataset, {
        parentVersion: null,
        step: 'import',
        params: {},
        source: {},
        actor: 'key_a',
      });
      await first.add(Array.from({ length: 2500 }, (_, index) => item(`i${index}`, `b${index}`)));
      const v1 = await first.commit({});
      assert.deepEqual([v1.version, v1.itemCount, v1.created], [1, 2500, true]);
      const second = await store.datasets.startVersion(dataset, {
        parentVersion: 1,
        step: 'dedupe',
        params: { a: 1 },
        source: {},
        actor: 'key_a',
      });
      await second.add([{ id: 'i0', contentHash: 'sha256:b0' }, item('i1', 'changed'), item('new', 'bnew')]);
      const v2 = await second.commit({});
      assert.equal(v2.version, 2);
      assert.equal(await store.datasets.storedBodies(dataset.id), 2502, 'unchanged bodies are shared, not copied');
      const [a, b] = [await store.datasets.version(dataset, 1), await store.datasets.version(dataset, 2)];
      assert.deepEqual(await store.datasets.diffCounts(a.id, b.id), { added: 1, removed: 2498, changed: 1, unchanged: 1 });
      assert.deepEqual(
        (await store.datasets.diffEntries(a.id, b.id, { kind: 'changed' })).map((entry) => entry.id),
        ['i1'],
      );
      assert.equal(b.parentVersion, 1);
      const again = await store.datasets.startVersion(dataset, {
        parentVersion: null,
        step: 'import',
        params: {},
        source: {},
        actor: 'key_a',
      });
      await again.add([{ id: 'i0', contentHash: 'sha256:b0' }, item('i1', 'changed'), item('new', 'bnew')]);
      assert.deepEqual(await again.commit({}), { version: 2, contentHash: v2.contentHash, itemCount: 3, created: false });
      let pages = 0;
      let seen = 0;
      for await (const page of store.datasets.iterate(a.id, { pageSize: 1000 })) {
        pages++;
        seen += page.length;
      }
      assert.deepEqual([pages, seen], [3, 2500]);
    });

    test('a discarded version leaves nothing behind and its number is not used', async () => {
      const dataset = await store.datasets.require('qa');
      const bodies = await store.datasets.storedBodies(dataset.id);
      const writer = await store.datasets.startVersion(dataset, {
        parentVersion: null,
        step: 'import',
        params: {},
        source: {},
        actor: 'key_a',
      });
      await writer.add([item('x', 'only-here'), { id: 'i0', contentHash: 'sha256:b0' }]);
      assert.equal(await store.datasets.pendingCount(dataset.id), 1);
      await writer.discard();
      assert.equal(await store.datasets.pendingCount(dataset.id), 0);
      assert.equal(await store.datasets.storedBodies(dataset.id), bodies);
      assert.equal((await store.datasets.versions(dataset.id)).length, 2);
      assert.equal((await store.datasets.get('qa'))?.latestVersion, 2);
    });
  });
}
