/**
 * A newcomer's first minutes, as the README tells them: `fener serve` prints the admin key, they
 * open the console, sign in with it, create a key, make a call with it, and find that call traced.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { launchBrowser, pageErrors, screenshot, type Browser } from './support/browser.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

let mock: MockProvider;
let serve: ServeProcess;
let browser: Browser;
let dataDir: string;

before(async () => {
  mock = await startMockProvider({ port: 0, seed: 5, outputTokens: 10 });
  dataDir = mkdtempSync(join(tmpdir(), 'fener-first-run-'));
  const config = join(dataDir, 'fener.yaml');
  writeFileSync(
    config,
    `providers:\n  - id: upstream\n    type: openai-compatible\n    base_url: ${mock.url}/v1\n    api_key_env: UPSTREAM_KEY\nmodels:\n  - name: small\n    provider: upstream\n    upstream_model: gpt-4o-mini\n    price: { input_per_mtok: 0.15, output_per_mtok: 0.60 }\n`,
  );
  serve = await startServe({ env: { FENER_DATA_DIR: dataDir, FENER_CONFIG: config, UPSTREAM_KEY: 'k', FENER_ADMIN_KEY: '' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
  await mock?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('start, sign in with the printed admin key, make a call, see it traced in the console', async () => {
  const adminKey = /Admin key[^\n]*\n\n\s+(sk-fener-\S+)/.exec(serve.stderr())?.[1];
  assert.ok(adminKey, `the admin key is printed on first start: ${serve.stderr()}`);
  const page = await browser.newPage();
  const errors = pageErrors(page);

  await page.goto(serve.url);
  await page.getByLabel('API key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('No calls in this period yet.').waitFor();
  await screenshot(page, 'first-run-empty-dashboard');

  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByLabel('Name').fill('my-app');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.getByLabel('Secret').inputValue();
  assert.match(key, /^sk-fener-/);

  const response = await fetch(`${serve.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'Hello from the README' }] }),
  });
  assert.equal(response.status, 200);
  const completion = (await response.json()) as { choices: { message: { content: string } }[] };

  // Traces are written off the hot path, a moment after the call: wait until the API has it (a
  // busy machine can take seconds), so that what is tested below is the page, not the writer.
  for (let waited = 0; waited < 60_000; waited += 200) {
    const listed = await fetch(`${serve.url}/api/traces?limit=1`, { headers: { authorization: `Bearer ${adminKey}` } });
    if (((await listed.json()) as { data: unknown[] }).data.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await page.getByRole('link', { name: 'Traces' }).click();
  const row = page.locator('table.traces tbody tr');
  for (let attempt = 0; attempt < 150 && (await row.count()) === 0; attempt += 1) {
    await page.waitForTimeout(100);
    await page.getByRole('button', { name: 'Apply filters' }).click();
  }
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /small/);
  await row.getByRole('link').click();
  const answer = page.locator('pre.answer');
  await answer.waitFor();
  assert.equal(await answer.innerText(), completion.choices[0]?.message.content);
  assert.match(await page.locator('main').innerText(), /Hello from the README/);
  await screenshot(page, 'first-run-trace');

  await page.getByRole('link', { name: 'Dashboard' }).click();
  const requests = page.locator('.tile', { has: page.locator('dt', { hasText: /^Requests$/ }) }).locator('dd');
  await requests.waitFor();
  assert.equal(await requests.innerText(), '1');
  assert.deepEqual(errors, []);
});
