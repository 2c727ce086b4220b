/** Prompt versions and labels: the same conformance suite on SQLite and on the real Postgres server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { isFenerCode, storeBackends } from '../../test/support/store-backends.js';
import type { Store } from './index.js';
import { contentHash } from './prompts.js';
import type { Database } from './schema.js';

const content = (text: string): Record<string, unknown> => ({
  messages: [{ role: 'user', content: text }],
  variables: {},
  parameters: {},
  tools: [],
});

const isError = isFenerCode;

for (const backend of storeBackends('prompts')) {
  describe(`prompt store conformance: ${backend.name}`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    test('versions are numbered per prompt; identical content makes no new version; the hash ignores key order', async () => {
      const first = await store.prompts.push({ name: 'greet', content: content('Hi'), actor: 'key_a' });
      assert.deepEqual([first.version.version, first.created], [1, true]);
      assert.match(first.version.contentHash, /^sha256:[0-9a-f]{64}$/);
      const second = await store.prompts.push({ name: 'greet', content: content('Hello'), actor: 'key_a' });
      assert.deepEqual([second.version.version, second.created], [2, true]);
      const reordered = { tools: [], parameters: {}, variables: {}, messages: [{ content: 'Hi', role: 'user' }] };
      const again = await store.prompts.push({ name: 'greet', content: reordered, actor: 'key_b' });
      assert.deepEqual([again.version.version, again.created], [1, false]);
      assert.equal(contentHash(reordered), first.version.contentHash);
      const other = await store.prompts.push({ name: 'other', content: content('Hi'), actor: 'key_a' });
      assert.equal(other.version.version, 1, 'numbering is per prompt');
      assert.deepEqual((await store.prompts.version('greet', 2))?.content, content('Hello'));
      assert.equal((await store.prompts.version('greet', 2))?.createdBy, 'key_a');
      assert.equal(await store.prompts.version('greet', 9), undefined);
    });

    test('concurrent pushes get distinct numbers', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((index) => store.prompts.push({ name: 'busy', content: content(`v${index}`), actor: 'key_a' })),
      );
      assert.deepEqual(results.map((result) => result.version.version).sort(), [1, 2, 3, 4, 5]);
    });

    test('labels: set on push, moved, recorded with who and from/to; rollback moves back; revision bumped', async () => {
      const revision = (await store.revisions.all()).prompts ?? 0;
      const pushed = await store.prompts.push({
        name: 'support',
        content: content('one'),
        labels: ['production', 'staging'],
        actor: 'key_a',
      });
      assert.deepEqual(
        pushed.moves.map((move) => [move.label, move.fromVersion, move.toVersion]),
        [
          ['production', null, 1],
          ['staging', null, 1],
        ],
      );
      assert.ok((await store.revisions.all()).prompts! > revision);
      await store.prompts.push({ name: 'support', content: content('two'), labels: ['staging'], actor: 'key_a' });
      await store.prompts.push({ name: 'support', content: content('three'), actor: 'key_a' });
      const moved = await store.prompts.setLabel({ name: 'support', label: 'production', version: 3, actor: 'key_b' });
      assert.deepEqual([moved?.fromVersion, moved?.toVersion, moved?.actor], [1, 3, 'key_b']);
      assert.equal(await store.prompts.setLabel({ name: 'support', label: 'production', version: 3, actor: 'key_b' }), undefined, 'no-op');
      assert.equal((await store.prompts.byLabel('support', 'production'))?.version, 3);
      assert.deepEqual((await store.prompts.get('support'))?.labels, { production: 3, staging: 2 });

      const back = await store.prompts.rollbackLabel({ name: 'support', label: 'production', actor: 'key_c' });
      assert.deepEqual([back.fromVersion, back.toVersion], [3, 1]);
      assert.equal((await store.prompts.byLabel('support', 'production'))?.version, 1);
      const history = await store.prompts.labelHistory('support', 'production');
      assert.deepEqual(
        history.map((move) => [move.fromVersion, move.toVersion, move.actor]),
        [
          [3, 1, 'key_c'],
          [1, 3, 'key_b'],
          [null, 1, 'key_a'],
        ],
      );
      assert.ok(history.every((move) => move.at > 0));
    });

    test('bad label moves are refused and change nothing', async () => {
      await store.prompts.push({ name: 'strict', content: content('one'), labels: ['production'], actor: 'key_a' });
      await assert.rejects(store.prompts.setLabel({ name: 'strict', label: 'production', version: 7, actor: 'x' }), isError('not_found'));
      await assert.rejects(store.prompts.setLabel({ name: 'ghost', label: 'production', version: 1, actor: 'x' }), isError('not_found'));
      await assert.rejects(store.prompts.rollbackLabel({ name: 'strict', label: 'production', actor: 'x' }), isError('conflict'));
      await assert.rejects(store.prompts.rollbackLabel({ name: 'strict', label: 'nope', actor: 'x' }), isError('not_found'));
      await assert.rejects(
        store.prompts
          .push({ name: 'strict', content: content('two'), labels: ['production'], actor: 'x' })
          .then(() => store.prompts.setLabel({ name: 'strict', label: 'production', version: 99, actor: 'x' })),
        isError('not_found'),
      );
      assert.equal((await store.prompts.byLabel('strict', 'production'))?.version, 2);
      assert.equal((await store.prompts.labelHistory('strict', 'production')).length, 2);
    });

    test('a labelled version cannot be deleted (409); an unlabelled one can, and its number is not reused', async () => {
      await store.prompts.push({ name: 'deleting', content: content('one'), labels: ['production'], actor: 'key_a' });
      await store.prompts.push({ name: 'deleting', content: content('two'), actor: 'key_a' });
      await assert.rejects(store.prompts.deleteVersion('deleting', 1), isError('conflict'));
      assert.ok(await store.prompts.version('deleting', 1));
      await store.prompts.deleteVersion('deleting', 2);
      assert.equal(await store.prompts.version('deleting', 2), undefined);
      await assert.rejects(store.prompts.deleteVersion('deleting', 2), isError('not_found'));
      await assert.rejects(store.prompts.setLabel({ name: 'deleting', label: 'staging', version: 2, actor: 'x' }), isError('not_found'));
      const next = await store.prompts.push({ name: 'deleting', content: content('three'), actor: 'key_a' });
      assert.equal(next.version.version, 3);
      assert.deepEqual(
        (await store.prompts.get('deleting'))?.versions.map((version) => version.version),
        [3, 1],
      );
    });

    test('the database itself refuses a label pointing at a missing version', async () => {
      // Past the repository, straight into the table: the foreign key is the last line of defence.
      const db = (store as unknown as { db: Kysely<Database> }).db;
      await assert.rejects(
        db
          .insertInto('prompt_labels')
          .values({ prompt_name: 'deleting', label: 'rogue', version: 2, updated_at: 0, updated_by: 'x' })
          .execute(),
      );
    });

    test('list shows every prompt with latest version and labels', async () => {
      const list = await store.prompts.list();
      const support = list.find((prompt) => prompt.name === 'support');
      assert.deepEqual([support?.latestVersion, support?.labels], [3, { production: 1, staging: 2 }]);
      assert.deepEqual(
        list.map((prompt) => prompt.name),
        [...list.map((prompt) => prompt.name)].sort(),
      );
      assert.equal(await store.prompts.get('ghost'), undefined);
    });
  });
}
