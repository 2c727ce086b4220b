/**
 * Starting an experiment run from the console, in real Chromium: the form's definition is what
 * the server stores, the run page follows the run until it completes, and gates are checked on
 * it against fixed thresholds and a baseline run. A refused definition names the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsoleData, type SeededData } from './support/console-data-seed.js';

interface StoredRun {
  id: string;
  experiment: string;
  status: string;
  total_items: number | null;
  results: number;
  config: {
    dataset: { dataset: string };
    variants: { name?: string; model?: string; parameters: Record<string, unknown> }[];
    metrics: (string | { metric: string })[];
    concurrency: number;
  };
  summary: { variants: { variant: string }[] } | null;
}

describe('web console: starting experiment runs and checking gates', () => {
  let seeded: SeededData;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let startedId: string;

  before(async () => {
    seeded = await seedConsoleData();
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  const form = (): ReturnType<Page['locator']> => page.locator('form[aria-labelledby="new-run"]');

  test('a run started through the form is stored as chosen, and its page follows it to completion', async () => {
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    await form().waitFor();
    await form().getByLabel('Experiment name').fill('console-run');
    await form().getByLabel('Dataset').selectOption('qa');
    await form().getByLabel('Version').selectOption('2');
    await form().getByLabel('Calls at once').fill('2');
    await form().getByLabel('Model').selectOption('small');
    await form().getByLabel('Variant name').fill('small-t0');
    await form().getByRole('button', { name: 'Add a variant' }).click();
    const second = form().locator('fieldset', { hasText: 'Variant 2' });
    await second.getByLabel('Model').selectOption('large');
    await second.getByLabel('Temperature').fill('0.5');
    await second.getByLabel('Max tokens').fill('8');
    await form().getByRole('checkbox', { name: 'token_f1' }).check();
    await form().getByRole('button', { name: 'Start run' }).click();

    await page.getByRole('heading', { name: /^Run run_/ }).waitFor();
    startedId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    // The page reads the run again while it runs: no reload needed to see it complete.
    await page.locator('dl.facts dd', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    await page.getByRole('table', { name: 'Results per item and variant' }).locator('tbody tr').nth(9).waitFor();

    const stored = await seeded.api<StoredRun>('GET', `/api/evals/runs/${startedId}`);
    assert.deepEqual(
      [stored.experiment, stored.status, stored.total_items, stored.results, stored.config.dataset, stored.config.concurrency],
      ['console-run', 'completed', 5, 10, { dataset: 'qa@2' }, 2],
    );
    assert.deepEqual(stored.config.variants, [
      { name: 'small-t0', model: 'small', parameters: { temperature: 0 } },
      { model: 'large', parameters: { temperature: 0.5, max_tokens: 8 } },
    ]);
    assert.deepEqual(
      stored.config.metrics.map((metric) => (typeof metric === 'string' ? metric : metric.metric)),
      ['exact_match', 'token_f1'],
    );
    assert.deepEqual(stored.summary?.variants.map((variant) => variant.variant).sort(), ['large', 'small-t0']);
  });

  test('gates are checked on the completed run, against thresholds and against a baseline run', async () => {
    const gates = page.locator('form[aria-labelledby="gates-heading"]');
    await gates.getByLabel(/^Gates, one per line/).fill('exact_match>=0\ntoken_f1>=1.01');
    await gates.getByRole('button', { name: 'Check' }).click();
    await gates.getByRole('status').waitFor();
    assert.equal(await gates.getByRole('status').innerText(), '2 failed.');
    const rows = await gates.getByRole('table', { name: 'Gate results' }).locator('tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((row) => row.split('\t').slice(0, 3).join(' ')).sort(), [
      'exact_match>=0 large passed',
      'exact_match>=0 small-t0 passed',
      'token_f1>=1.01 large failed',
      'token_f1>=1.01 small-t0 failed',
    ]);
    const expected = await seeded.api<{ passed: boolean; results: { passed: boolean }[] }>('POST', `/api/evals/runs/${startedId}/gates`, {
      gates: ['exact_match>=0', 'token_f1>=1.01'],
    });
    assert.deepEqual(
      [expected.passed, expected.results.filter((result) => !result.passed).length],
      [false, 2],
      'the page shows what the API says',
    );
    await screenshot(page, 'experiment-gates');
  });

  test('a refused definition names the field and keeps the form as typed', async () => {
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    await form().waitFor();
    await form().getByLabel('Experiment name').fill('bad name!');
    await form().getByRole('button', { name: 'Start run' }).click();
    const refused = form().getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /invalid_request.*name: use letters, digits/s);
    assert.equal(await form().getByLabel('Experiment name').inputValue(), 'bad name!');
    const runs = await seeded.api<{ data: { experiment: string }[] }>('GET', '/api/evals/runs?limit=200');
    assert.equal(runs.data.filter((run) => run.experiment === 'bad name!').length, 0);
    assert.deepEqual(errors, []);
  });
});
