/**
 * A dataset's version out and new versions in, from the console in real Chromium: a download is
 * the API's export to the byte; a split and a YAML pipeline each record new versions whose item
 * counts and lineage the API confirms; a bad pipeline shows the server's message and writes nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsole, type SeededConsole } from './support/console-seed.js';

interface StoredDataset {
  latest_version: number;
  versions: { version: number; item_count: number; parent_version: number | null; step: string }[];
}

const item = (id: string, question: string, expected: string) => ({
  id,
  input: { messages: [{ role: 'user', content: question }] },
  expected,
});

describe('web console: dataset export, split and preparation', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    seeded = await seedConsole();
    await seeded.api('POST', '/api/datasets', { name: 'faq', description: 'Questions with a duplicate' });
    // f4 repeats f1 word for word: dedupe drops one of them.
    const items = [
      item('f1', 'Where is my order?', 'In transit.'),
      item('f2', 'Can I return shoes?', 'Within 30 days.'),
      item('f3', 'Do you ship abroad?', 'Yes, to the EU.'),
      item('f4', 'Where is my order?', 'In transit.'),
      ...Array.from({ length: 16 }, (_, index) => item(`g${index + 1}`, `Question number ${index + 1}?`, `Answer ${index + 1}.`)),
    ];
    await seeded.api('POST', '/api/datasets/faq/items', { items });
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
    await page.getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByRole('link', { name: 'faq' }).click();
    await page.getByRole('heading', { name: 'Dataset faq' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  const stored = (): Promise<StoredDataset> => seeded.api<StoredDataset>('GET', '/api/datasets/faq');
  const exported = async (query: string): Promise<string> => {
    const response = await fetch(`${seeded.server.url}/api/datasets/faq/versions/1/export${query}`, {
      headers: { authorization: `Bearer ${seeded.server.adminKey}` },
    });
    assert.equal(response.status, 200);
    return response.text();
  };
  const download = async (form: Locator): Promise<{ name: string; text: string }> => {
    const [file] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Download' }).click()]);
    const path = await file.path();
    return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
  };

  test('a version downloads as JSONL and as CSV, exactly what the API exports', async () => {
    const form = page.locator('form[aria-labelledby="export-heading"]');
    const jsonl = await download(form);
    assert.equal(jsonl.name, 'faq-v1.jsonl');
    assert.equal(jsonl.text, await exported(''));
    assert.equal(jsonl.text.trim().split('\n').length, 20);
    assert.deepEqual(
      jsonl.text
        .trim()
        .split('\n')
        .slice(0, 4)
        .map((line) => (JSON.parse(line) as { id: string }).id),
      ['f1', 'f2', 'f3', 'f4'],
    );
    await form.getByLabel('Format').selectOption('csv');
    const csv = await download(form);
    assert.equal(csv.name, 'faq-v1.csv');
    assert.equal(csv.text, await exported('?format=csv'));
  });

  test('a split records a new version with every item assigned, and the versions table shows it', async () => {
    const form = page.locator('form[aria-labelledby="prepare-heading"]');
    await form.getByLabel('Share for train').fill('0.5');
    await form.getByLabel('Share for validation').fill('0.25');
    await form.getByLabel('Share for test').fill('0.25');
    await form.getByLabel('Seed').fill('fixed');
    await form.getByRole('button', { name: 'Split' }).click();
    await form.getByRole('status').filter({ hasText: 'v1 → v2' }).waitFor();
    await page.getByRole('table', { name: 'Versions, newest first' }).locator('tbody th', { hasText: 'v2' }).waitFor();
    const dataset = await stored();
    assert.deepEqual(
      dataset.versions.map((version) => [version.version, version.item_count, version.parent_version]),
      [
        [2, 20, 1],
        [1, 20, null],
      ],
    );
    const items = await seeded.api<{ data: { split: string | null }[] }>('GET', '/api/datasets/faq/versions/2/items?limit=100');
    assert.ok(
      items.data.every((entry) => entry.split !== null),
      'every item has a split',
    );
    // The download of one split is that split's items.
    const exportForm = page.locator('form[aria-labelledby="export-heading"]');
    await exportForm.getByLabel('Version to export').selectOption('2');
    await exportForm.getByLabel('Format').selectOption('jsonl');
    await exportForm.getByLabel('Split').selectOption('test');
    const testSplit = await download(exportForm);
    assert.equal(testSplit.name, 'faq-v2-test.jsonl');
    const testCount = items.data.filter((entry) => entry.split === 'test').length;
    assert.equal(testSplit.text.trim() === '' ? 0 : testSplit.text.trim().split('\n').length, testCount);
  });

  test('a YAML pipeline runs step by step; a pipeline the server refuses writes nothing', async () => {
    const form = page.locator('form[aria-labelledby="prepare-heading"]');
    await form.getByLabel('Run a pipeline').check();
    await form.getByLabel(/^Pipeline \(YAML/).fill('steps:\n  - step: shuffle_everything\n');
    await form.getByRole('button', { name: 'Run pipeline' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /invalid_request/);
    assert.equal((await stored()).latest_version, 2, 'nothing written');

    await form.getByLabel('Start from version').selectOption('1');
    await form.getByLabel(/^Pipeline \(YAML/).fill('steps:\n  - step: normalize\n  - step: dedupe\n');
    await form.getByRole('button', { name: 'Run pipeline' }).click();
    // normalize changes nothing here, so its version is v1 itself; dedupe drops f4.
    await form.getByRole('status').filter({ hasText: 'v1 → v3' }).waitFor();
    const steps = await form.getByRole('table', { name: 'Steps run' }).locator('tbody tr').allInnerTexts();
    assert.deepEqual(
      steps.map((row) => row.split('\t')),
      [
        ['normalize', 'v1 (already there)', '20', '0'],
        ['dedupe', 'v3', '19', '1'],
      ],
    );
    const dataset = await stored();
    assert.deepEqual(
      dataset.versions.map((version) => [version.version, version.item_count, version.parent_version, version.step]),
      [
        [3, 19, 1, 'dedupe'],
        [2, 20, 1, 'split'],
        [1, 20, null, 'items'],
      ],
    );
    const kept = await seeded.api<{ data: { id: string }[] }>('GET', '/api/datasets/faq/versions/3/items?limit=100');
    assert.ok(
      !kept.data.some((entry) => entry.id === 'f4') && kept.data.some((entry) => entry.id === 'f1'),
      'the later duplicate is dropped',
    );
    await screenshot(page, 'dataset-prepare');
    assert.deepEqual(errors, []);
  });
});
