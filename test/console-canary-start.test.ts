/**
 * Starting a canary from the console, in real Chromium: shares that do not add up to 100 are
 * refused with the API's message and start nothing; a corrected form starts a canary whose stored
 * variants and analysis are exactly what was chosen, and the panel shows it running.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsole, type SeededConsole } from './support/console-seed.js';

interface StoredCanary {
  status: string;
  baseline: string;
  variants: { name: string; percent: number; version: number }[];
  settings: {
    alpha: number;
    min_samples: number;
    max_samples: number | null;
    auto_promote: boolean;
    auto_rollback: boolean;
    error_rate: { margin: number };
    latency: { margin: number };
  };
}
interface StoredDeployment {
  active_version: number;
  versions: { version: number; model: string }[];
}

describe('web console: starting a canary', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let form: Locator;
  let seededDeployment: StoredDeployment;

  before(async () => {
    seeded = await seedConsole();
    seededDeployment = await seeded.api<StoredDeployment>('GET', '/api/deployments/support');
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
    await page.getByRole('link', { name: 'Models & deployments' }).click();
    const card = page.getByRole('article', { name: 'Deployment support' });
    await card.getByText('Start a canary on support').click();
    form = card.getByRole('form', { name: 'Start a canary on support' });
    await form.waitFor();
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  const canaryStatus = async (): Promise<number> =>
    (await fetch(`${seeded.server.url}/api/deployments/support/canary`, { headers: { authorization: `Bearer ${seeded.server.adminKey}` } }))
      .status;

  test('shares that do not add up to 100 are refused, the form keeps them, nothing starts', async () => {
    await form.getByLabel(/^Baseline share %/).fill('60');
    await form.getByLabel('Share %', { exact: true }).fill('30');
    await form.getByRole('button', { name: 'Start canary on support' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /variants: the percentages add up to 90, not 100/);
    assert.equal(await form.getByLabel(/^Baseline share %/).inputValue(), '60');
    assert.equal(await canaryStatus(), 404);
  });

  test('a canary with an existing version and a new spec starts as chosen and shows as running', async () => {
    const other = seededDeployment.versions.find((version) => version.version !== seededDeployment.active_version)!;
    await form.getByLabel(/^Baseline share %/).fill('80');
    const first = form.locator('fieldset', { hasText: 'Challenger 1' });
    await first.getByLabel('Share %', { exact: true }).fill('10');
    await first.getByLabel('Serves').selectOption(String(other.version));
    await form.getByRole('button', { name: 'Add a challenger' }).click();
    const second = form.locator('fieldset', { hasText: 'Challenger 2' });
    await second.getByLabel('Variant name').fill('fresh');
    await second.getByLabel('Share %', { exact: true }).fill('10');
    await second.getByLabel('Model').selectOption('small');
    await form.getByLabel('Samples per variant before a decision').fill('50');
    await form.getByLabel('Roll back if undecided after (requests)').fill('1000');
    await form.getByLabel('Error rate margin').fill('0.03');
    await form.getByLabel('Promote automatically').uncheck();
    await form.getByRole('button', { name: 'Start canary on support' }).click();

    const panel = page.getByRole('region', { name: 'Canary of support' });
    await panel.waitFor();
    assert.match(await panel.locator('h4').innerText(), /Canary running\s+baseline baseline/);
    await form.waitFor({ state: 'detached' });

    const stored = await seeded.api<StoredCanary>('GET', '/api/deployments/support/canary');
    const changed = await seeded.api<StoredDeployment>('GET', '/api/deployments/support');
    const spec = changed.versions.at(-1)!;
    assert.equal(
      spec.version,
      Math.max(...seededDeployment.versions.map((version) => version.version)) + 1,
      'the spec became a new version',
    );
    assert.equal(spec.model, 'small');
    assert.deepEqual(
      [stored.status, stored.baseline, stored.variants],
      [
        'running',
        'baseline',
        [
          { name: 'baseline', percent: 80, version: seededDeployment.active_version },
          { name: 'canary', percent: 10, version: other.version },
          { name: 'fresh', percent: 10, version: spec.version },
        ],
      ],
    );
    const { settings } = stored;
    assert.deepEqual(
      [settings.alpha, settings.min_samples, settings.max_samples, settings.auto_promote, settings.auto_rollback],
      [0.05, 50, 1000, false, true],
    );
    assert.deepEqual([settings.error_rate.margin, settings.latency.margin], [0.03, 0.05]);
    await screenshot(page, 'canary-start');
    assert.deepEqual(errors, []);
  });
});
