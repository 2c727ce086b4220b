/**
 * Issue #8: "keyboard-accessible, labelled controls", checked by a machine on every page of the
 * console. axe-core (Deque's rules engine, the one browsers' accessibility panels use) runs in
 * real Chromium on each page with seeded data; any violation of WCAG 2.1 A/AA rules of serious
 * or critical impact fails the test, with the rule, the elements and how to fix them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultConsoleDir } from '../src/server/console.js';
import { describeViolations, violations } from './support/axe.js';
import { launchBrowser, signIn, type Browser } from './support/browser.js';
import { seedConsoleData, type SeededData } from './support/console-data-seed.js';

describe('web console: accessibility of every page (axe-core, WCAG 2.1 A/AA)', () => {
  let seeded: SeededData;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(`${defaultConsoleDir}/index.html`), `the console is not built in ${defaultConsoleDir}: run "npm run build" first`);
    seeded = await seedConsoleData();
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, seeded.server.url, seeded.server.adminKey);
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  test('no serious or critical violations on any page, signed in as the admin', async () => {
    const traces = await seeded.api<{ data: { id: string }[] }>('GET', '/api/traces?limit=1');
    const pages: [string, string][] = [
      ['/', 'Dashboard'],
      ['/traces', 'Traces'],
      [`/traces/${traces.data[0]?.id ?? ''}`, 'Trace'],
      ['/prompts', 'Prompts'],
      ['/prompts/greet', 'Prompt greet'],
      ['/datasets', 'Datasets'],
      ['/datasets/qa', 'Dataset qa'],
      ['/experiments', 'Experiments'],
      ['/experiments/new', 'New run'],
      [`/experiments/runs/${seeded.runs.candidate}`, 'Run'],
      [`/experiments/compare?baseline=${seeded.runs.baseline}&candidate=${seeded.runs.candidate}`, 'Compare runs'],
      ['/feedback', 'Feedback'],
      ['/feedback/queues/review', 'Queue'],
      ['/models', 'Models & deployments'],
      ['/keys', 'Keys'],
      ['/audit', 'Audit'],
    ];
    const failures: string[] = [];
    for (const [path, heading] of pages) {
      await page.goto(`${seeded.server.url}${path}`);
      // The page has rendered its data (its heading is there and nothing is still loading).
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForFunction(`document.querySelector('.state.loading') === null`, undefined, { timeout: 10_000 });
      // Folded parts (a deployment's "Start a canary" form) are checked open.
      await page.evaluate(`document.querySelectorAll('details').forEach((details) => { details.open = true; })`);
      const errors = await page.locator('.state.error').allInnerTexts();
      if (errors.length > 0) failures.push(`${path} (${heading}) shows an error instead of its data: ${errors.join(' | ')}`);
      const found = await violations(page);
      if (found.length > 0) failures.push(`${path} (${heading}):\n${describeViolations(found)}`);
    }
    assert.equal(failures.length, 0, failures.join('\n\n'));
  });
});
