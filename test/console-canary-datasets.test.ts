/**
 * Starting a canary with the signals it watches, and preparing dataset versions step by step, from
 * the console in real Chromium, checked against the API: the stored split, signals and analysis
 * are exactly what the form chose; refusals (a threshold out of range, a canary that started
 * meanwhile, a step the server rejects) show the API's message, keep the input and change nothing;
 * a downloaded version is the API's items line for line; steps record versions with their lineage.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { z } from 'zod';
import type { stepSchema } from '../src/datasets/index.js';
import type { canaryStartSchema } from '../src/registry/index.js';
import type { CanaryStartInput, PreparationStep } from '../src/sdk/index.js';
import { describeViolations, violations } from './support/axe.js';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsole, type SeededConsole } from './support/console-seed.js';

// The SDK's typed inputs are written by hand (it imports only src/core); these fail to compile
// when they drift from the routes' schemas: a field added, dropped or typed differently on either side.
type DeepRequired<T> = T extends readonly (infer U)[]
  ? DeepRequired<U>[]
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<Exclude<T[K], undefined>> }
    : T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SameShape<A, B> = Mutual<A, B> extends true ? Mutual<DeepRequired<A>, DeepRequired<B>> : false;
const canaryInputMatchesRoute: SameShape<CanaryStartInput, z.input<typeof canaryStartSchema>> = true;
const preparationStepMatchesRoute: SameShape<PreparationStep, z.input<typeof stepSchema>> = true;

interface StoredCanary {
  id: string;
  status: string;
  baseline: string;
  variants: { name: string; percent: number; version: number }[];
  settings: Record<string, unknown>;
}
interface StoredDeployment {
  active_version: number;
  versions: { version: number; model: string }[];
}

describe('web console: starting a canary with its signals', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let deployment: StoredDeployment;
  let other: number;

  const card = (): Locator => page.getByRole('article', { name: 'Deployment support' });
  const form = (): Locator => card().getByRole('form', { name: 'Start a canary on support' });
  const openForm = async (): Promise<Locator> => {
    await card().getByText('Start a canary on support').click();
    await form().waitFor();
    return form();
  };
  const canaryStatus = async (): Promise<number> =>
    (await fetch(`${seeded.server.url}/api/deployments/support/canary`, { headers: { authorization: `Bearer ${seeded.server.adminKey}` } }))
      .status;

  before(async () => {
    seeded = await seedConsole();
    deployment = await seeded.api<StoredDeployment>('GET', '/api/deployments/support');
    other = deployment.versions.find((version) => version.version !== deployment.active_version)!.version;
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
    await page.getByRole('link', { name: 'Models & deployments' }).click();
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  test('the typed SDK inputs have the shape of the routes’ schemas', () => {
    assert.deepEqual([canaryInputMatchesRoute, preparationStepMatchesRoute], [true, true]);
  });

  test('the form starts at the server defaults; a latency quantile out of range is refused with the API’s message', async () => {
    const start = await openForm();
    const defaults = await Promise.all(
      ['Alpha (false alarm rate)', 'Tests tuned for a difference of (tau)', 'Samples per variant before a decision', 'Error rate margin']
        .concat(['Slow-call share margin', "Slow means above the baseline's quantile", 'Or a fixed bound (ms)'])
        .map((label) => start.getByLabel(label, { exact: true }).inputValue()),
    );
    assert.deepEqual(defaults, ['0.05', '0.05', '200', '0.02', '0.05', '0.95', '']);
    assert.equal(await start.getByLabel(/^Baseline share %/).inputValue(), '90');

    await start.getByLabel("Slow means above the baseline's quantile").fill('0.4');
    await start.getByRole('button', { name: 'Start canary on support' }).click();
    const refused = start.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^invalid_request: .*analysis\.latency\.quantile/);
    assert.equal(await start.getByLabel("Slow means above the baseline's quantile").inputValue(), '0.4', 'the input is kept');
    assert.equal(await canaryStatus(), 404, 'nothing started');
  });

  test('a canary with chosen signals starts; the API stores exactly that split and analysis; the panel shows it', async () => {
    const start = form();
    await start.getByLabel(/^Baseline share %/).fill('70');
    const challenger = start.locator('fieldset', { hasText: 'Challenger 1' });
    await challenger.getByLabel('Variant name').fill('bigger');
    await challenger.getByLabel('Share %', { exact: true }).fill('30');
    await challenger.getByLabel('Serves').selectOption(String(other));
    await start.getByLabel('Tests tuned for a difference of (tau)').fill('0.1');
    await start.getByLabel('Roll back automatically').uncheck();
    await start.getByLabel('Watch the error rate').uncheck();
    assert.equal(await start.getByLabel('Error rate margin').count(), 0, 'a signal switched off hides its margin');
    await start.getByLabel('Slow-call share margin').fill('0.1');
    await start.getByLabel("Slow means above the baseline's quantile").fill('0.9');
    await start.getByLabel('Or a fixed bound (ms)').fill('1500');
    await start.getByRole('button', { name: 'Add a score source' }).click();
    const feedback = start.getByRole('group', { name: 'Score source 1' });
    assert.equal(await feedback.getByLabel('Source name').inputValue(), 'feedback');
    await feedback.getByLabel('Bad below').fill('0.6');
    await feedback.getByLabel('Margin', { exact: true }).fill('0.1');
    await start.getByRole('button', { name: 'Add a score source' }).click();
    await start.getByRole('group', { name: 'Score source 2' }).getByLabel('Source name').fill('judge');
    const unfolded = await violations(page);
    assert.equal(unfolded.length, 0, describeViolations(unfolded));
    await screenshot(page, 'canary-start-signals');
    await start.getByRole('button', { name: 'Start canary on support' }).click();

    const panel = page.getByRole('region', { name: 'Canary of support' });
    await panel.waitFor();
    await start.waitFor({ state: 'detached' });
    assert.match(await panel.locator('h4').innerText(), /^Canary running\s+baseline baseline/);
    assert.equal(
      await panel.locator('.canary-signals').innerText(),
      'Watches slow calls over 1500 ms (margin 0.1), score feedback (bad below 0.6, margin 0.1), score judge (bad below 0.5, margin 0.05).',
    );
    const shares = await panel
      .locator('table.canary-stats tbody tr')
      .evaluateAll((rows) => rows.map((row) => [row.querySelector('th')?.textContent ?? '', row.querySelector('td')?.textContent ?? '']));
    assert.deepEqual(shares, [
      [`baseline v${deployment.active_version}baseline`, '70%'],
      [`bigger v${other}`, '30%'],
    ]);

    const stored = await seeded.api<StoredCanary>('GET', '/api/deployments/support/canary');
    assert.deepEqual(
      [stored.status, stored.baseline, stored.variants],
      [
        'running',
        'baseline',
        [
          { name: 'baseline', percent: 70, version: deployment.active_version },
          { name: 'bigger', percent: 30, version: other },
        ],
      ],
    );
    assert.deepEqual(stored.settings, {
      alpha: 0.05,
      tau: 0.1,
      min_samples: 200,
      max_samples: null,
      auto_promote: true,
      auto_rollback: false,
      error_rate: { enabled: false, margin: 0.02 },
      latency: { enabled: true, margin: 0.1, quantile: 0.9, threshold_ms: 1500 },
      scores: { feedback: { bad_below: 0.6, margin: 0.1 }, judge: { bad_below: 0.5, margin: 0.05 } },
    });
    // The score source the form declared takes scores; one it did not declare is refused.
    const accepted = await seeded.api<{ accepted: number }>('POST', '/api/deployments/support/canary/signals', {
      source: 'feedback',
      observations: [
        { variant: 'bigger', score: 0.9 },
        { variant: 'baseline', score: 0.2 },
      ],
    });
    assert.equal(accepted.accepted, 2);
    await assert.rejects(
      seeded.api('POST', '/api/deployments/support/canary/signals', { source: 'thumbs', observations: [{ variant: 'bigger', score: 1 }] }),
      /no score source \\"thumbs\\" \(configured: feedback, judge\)/,
    );
    await screenshot(page, 'canary-signals');
  });

  test('a canary started elsewhere meanwhile: the form shows the API’s conflict and keeps its input', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    await card().getByRole('button', { name: 'Abort canary (roll back)' }).click();
    await card().locator('h4', { hasText: 'aborted' }).waitFor();
    const start = await openForm();
    // Another admin starts one through the API while this form is open.
    const theirs = await seeded.api<StoredCanary>('POST', '/api/deployments/support/canary', {
      variants: [
        { name: 'baseline', percent: 95 },
        { name: 'theirs', percent: 5, version: other },
      ],
    });
    await start.getByLabel(/^Baseline share %/).fill('75');
    await start.locator('fieldset', { hasText: 'Challenger 1' }).getByLabel('Share %', { exact: true }).fill('25');
    await start.locator('fieldset', { hasText: 'Challenger 1' }).getByLabel('Serves').selectOption(String(other));
    await start.getByRole('button', { name: 'Start canary on support' }).click();
    const refused = start.getByRole('alert');
    await refused.waitFor();
    assert.equal(await refused.locator('strong').innerText(), 'conflict');
    assert.match(await refused.innerText(), new RegExp(`deployment "support" already has a running canary \\(${theirs.id}\\)`));
    assert.equal(await start.getByLabel(/^Baseline share %/).inputValue(), '75', 'the input is kept');
    const current = await seeded.api<StoredCanary>('GET', '/api/deployments/support/canary');
    assert.deepEqual(
      [current.id, current.variants.map((variant) => [variant.name, variant.percent])],
      [
        theirs.id,
        [
          ['baseline', 95],
          ['theirs', 5],
        ],
      ],
    );
    assert.deepEqual(errors, []);
  });
});

interface StoredDataset {
  latest_version: number;
  versions: { version: number; item_count: number; parent_version: number | null; step: string; params: Record<string, unknown> }[];
}
interface ApiItem {
  id: string;
  position: number;
  split: string | null;
  content_hash: string;
  [field: string]: unknown;
}

const item = (id: string, question: string, expected: string) => ({
  id,
  input: { messages: [{ role: 'user', content: question }] },
  expected,
  metadata: { topic: id.startsWith('s') ? 'shipping' : 'orders' },
});

describe('web console: downloading a dataset version and preparing new ones step by step', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    seeded = await seedConsole();
    await seeded.api('POST', '/api/datasets', { name: 'help', description: 'Help desk questions' });
    // o3 asks what o1 asks (another answer): a dedupe on the input alone drops it; o4's question is long.
    await seeded.api('POST', '/api/datasets/help/items', {
      items: [
        item('o1', 'Where is my order?', 'In transit.'),
        item('o2', 'Can I return shoes?', 'Within 30 days.'),
        item('o3', 'Where is my order?', 'It ships tomorrow.'),
        item('o4', `My order ${'has been late and '.repeat(8)}where is it?`, 'We are sorry.'),
        item('s1', 'Do you ship abroad?', 'Yes, to the EU — "ça va".'),
      ],
    });
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
    await page.getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByRole('link', { name: 'help' }).click();
    await page.getByRole('heading', { name: 'Dataset help' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  const stored = (): Promise<StoredDataset> => seeded.api<StoredDataset>('GET', '/api/datasets/help');
  const items = async (version: number): Promise<ApiItem[]> =>
    (await seeded.api<{ data: ApiItem[] }>('GET', `/api/datasets/help/versions/${version}/items?limit=1000`)).data;
  const prepare = (): Locator => page.locator('form[aria-labelledby="prepare-heading"]');

  test('a downloaded version holds, line by line, the items the API lists', async () => {
    const exportForm = page.locator('form[aria-labelledby="export-heading"]');
    assert.equal(await exportForm.getByLabel('Format').inputValue(), 'jsonl');
    const [download] = await Promise.all([page.waitForEvent('download'), exportForm.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), 'help-v1.jsonl');
    const lines = readFileSync(await download.path(), 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    // A line is the item's content with its id (and split when it has one), in the version's order.
    const expected = (await items(1)).map(({ id, split, position: _position, content_hash: _hash, ...content }) => ({
      id,
      ...(split === null ? {} : { split }),
      ...content,
    }));
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      expected,
    );
    assert.deepEqual(
      expected.map((entry) => entry.id),
      ['o1', 'o2', 'o3', 'o4', 's1'],
    );
  });

  test('steps picked from the list record one version each, with lineage, shown in the versions table', async () => {
    await prepare().getByLabel('Run steps').check();
    const first = prepare().locator('fieldset', { hasText: 'Step 1: dedupe' });
    assert.equal(await first.getByLabel('Duplicates when equal in').inputValue(), 'input+output', 'the server default');
    await first.getByLabel('Duplicates when equal in').selectOption('input');
    await prepare().getByLabel('Step to add').selectOption('length');
    await prepare().getByRole('button', { name: 'Add step' }).click();
    const second = prepare().locator('fieldset', { hasText: 'Step 2: length' });
    await second.getByLabel('Measure').selectOption('input');
    await second.getByLabel('At most (characters)').fill('100');
    const unfolded = await violations(page);
    assert.equal(unfolded.length, 0, describeViolations(unfolded));
    await prepare().getByRole('button', { name: 'Run steps' }).click();

    await prepare().getByRole('status').filter({ hasText: 'v1 → v3' }).waitFor();
    const rows = await prepare().getByRole('table', { name: 'Steps run' }).locator('tbody tr').allInnerTexts();
    assert.deepEqual(
      rows.map((row) => row.split('\t')),
      [
        ['dedupe', 'v2', '4', '1'],
        ['length', 'v3', '3', '1'],
      ],
    );
    const versionsTable = page.getByRole('table', { name: 'Versions, newest first' });
    await versionsTable.locator('tbody th', { hasText: 'v3' }).waitFor();
    const shown = await versionsTable
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 4).map((cell) => cell.textContent?.trim() ?? '')));
    assert.deepEqual(shown, [
      ['v3', 'v2', 'length', '3'],
      ['v2', 'v1', 'dedupe', '4'],
      ['v1', '–', 'items', '5'],
    ]);

    const dataset = await stored();
    assert.deepEqual(
      dataset.versions.map((version) => [version.version, version.item_count, version.parent_version, version.step, version.params]),
      [
        [3, 3, 2, 'length', { step: 'length', field: 'input', max_chars: 100 }],
        [2, 4, 1, 'dedupe', { step: 'dedupe', scope: 'input' }],
        [1, 5, null, 'items', {}],
      ],
    );
    assert.deepEqual(
      (await items(3)).map((entry) => entry.id),
      ['o1', 'o2', 's1'],
    );
  });

  test('a step the server refuses shows its message, keeps the steps and writes nothing', async () => {
    await prepare().getByRole('button', { name: 'Remove step 2' }).click();
    await prepare().getByRole('button', { name: 'Remove step 1' }).click();
    await prepare().getByLabel('Step to add').selectOption('language');
    await prepare().getByRole('button', { name: 'Add step' }).click();
    const language = prepare().locator('fieldset', { hasText: 'Step 1: language' });
    assert.equal(await language.getByLabel('Languages (ISO 639-3, comma-separated)').inputValue(), 'eng');
    await language.getByLabel('Languages (ISO 639-3, comma-separated)').fill('eng, english');
    await prepare().getByRole('button', { name: 'Run steps' }).click();
    const refused = prepare().getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^invalid_request: .*steps\.0\.allow\.1.*ISO 639-3/s);
    assert.equal(await language.getByLabel('Languages (ISO 639-3, comma-separated)').inputValue(), 'eng, english');
    assert.equal((await stored()).latest_version, 3, 'nothing written');
    await screenshot(page, 'dataset-steps');
    assert.deepEqual(errors, []);
  });
});
