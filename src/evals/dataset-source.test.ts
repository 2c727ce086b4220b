import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDataset, createVersionFromItems } from '../datasets/index.js';
import { openStore } from '../store/index.js';
import { parseDatasetReference, storedDatasets } from './dataset-source.js';

test('dataset references: NAME, NAME@N, NAME@latest:split; anything else is refused', () => {
  assert.deepEqual(parseDatasetReference('qa'), { name: 'qa', version: 'latest', split: undefined });
  assert.deepEqual(parseDatasetReference('qa@2'), { name: 'qa', version: 2, split: undefined });
  assert.deepEqual(parseDatasetReference('qa@latest:test'), { name: 'qa', version: 'latest', split: 'test' });
  for (const bad of ['qa@two', 'qa@1:dev', '@1', 'q a@1']) assert.throws(() => parseDatasetReference(bad), /expected NAME@VERSION/);
});

test('an experiment reads a stored dataset version page by page, by version and by split', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fener-eval-dataset-'));
  const store = await openStore({ dataDir });
  try {
    await store.projects.ensure('default');
    const dataset = await createDataset(store, { name: 'qa', actor: 'test' });
    const items = Array.from({ length: 250 }, (_, index) => ({
      id: `q${index}`,
      split: index % 5 === 0 ? ('test' as const) : ('train' as const),
      content: { input: { messages: [{ role: 'user' as const, content: `What is ${index} + 1?` }] }, expected: String(index + 1) },
    }));
    await createVersionFromItems(store, { dataset, items: items.slice(0, 100), step: 'import', source: { kind: 'test' }, actor: 'test' });
    const first = await store.datasets.version(await store.datasets.require('qa'), 1);
    await createVersionFromItems(store, {
      dataset,
      base: first,
      items: items.slice(100),
      step: 'append',
      source: { kind: 'test' },
      actor: 'test',
    });

    const resolve = storedDatasets(store);
    const latest = resolve('qa@latest');
    assert.equal(await latest.count(), 250);
    const read = [];
    for await (const item of latest.items()) read.push(item);
    assert.deepEqual(
      read.map((item) => item.id),
      items.map((item) => item.id),
    );
    assert.deepEqual(read[7]?.messages, [{ role: 'user', content: 'What is 7 + 1?' }]);
    assert.deepEqual(read[7]?.expected, ['8']);
    assert.equal(await resolve('qa@1').count(), 100);
    assert.equal(await resolve('qa@2:test').count(), 50);
    await assert.rejects(resolve('qa@9').count(), /has no version 9/);
    await assert.rejects(resolve('nope@1').count(), /no dataset named "nope"/);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
