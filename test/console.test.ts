/**
 * Issue #8: the web console in real Chromium against a Fener with real traffic (mock provider).
 * Every page is driven as a person would (labels, buttons, links), its content checked against the
 * API, and a screenshot of each is written to test-artifacts/console/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultConsoleDir } from '../src/server/console.js';
import { launchBrowser, pageErrors, screenshot, signIn, type Browser } from './support/browser.js';
import { seedConsole, type SeededConsole } from './support/console-seed.js';
import { flushTraces } from './support/fener.js';

/** Waits until `selector` matches exactly `count` elements (the check runs in the page). */
async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await page.waitForFunction(`document.querySelectorAll(${JSON.stringify(selector)}).length === ${count}`);
}

interface TraceView {
  id: string;
  model: string;
  status: string;
  key_id: string | null;
  project_id: string;
  error_code: string | null;
  response_body: { message?: { content?: string } } | null;
  metadata: Record<string, unknown> | null;
}

function assertBuilt(): void {
  assert.ok(existsSync(`${defaultConsoleDir}/index.html`), `the console is not built in ${defaultConsoleDir}: run "npm run build" first`);
}

describe('web console', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const url = (): string => seeded.server.url;
  const traces = async (query = ''): Promise<TraceView[]> =>
    (await seeded.api<{ data: TraceView[] }>('GET', `/api/traces?limit=500${query}`)).data;

  before(async () => {
    assertBuilt();
    seeded = await seedConsole();
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = pageErrors(page);
    await signIn(page, url(), seeded.server.adminKey);
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  test('the server serves the console with the right types and caching, and leaves the APIs alone', async () => {
    const index = await fetch(`${url()}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(`${url()}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.ok((await asset.text()).length > 1000);

    const deepLink = await fetch(`${url()}/traces/trc_whatever?x=1`);
    assert.equal(deepLink.status, 200);
    assert.equal(await deepLink.text(), html, 'a page path gets index.html');
    const missingAsset = await fetch(`${url()}/assets/gone-123.js`);
    assert.equal(missingAsset.status, 404);

    const api = await fetch(`${url()}/api/nothing-here`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'not_found');
    const v1 = await fetch(`${url()}/v1/nothing-here`);
    assert.equal(v1.status, 404);
    assert.equal(typeof ((await v1.json()) as { error: { type: string } }).error.type, 'string', 'OpenAI error shape on /v1');
    const post = await fetch(`${url()}/traces`, { method: 'POST' });
    assert.equal(post.status, 404, 'only GET and HEAD fall back to the page');
    assert.equal((await fetch(`${url()}/healthz`)).status, 200);
    assert.match((await (await fetch(`${url()}/metrics`)).text()).slice(0, 2000), /# (HELP|TYPE)/);
  });

  test('sign in refuses a wrong key, accepts the admin key, and signs out', async () => {
    await page.evaluate('sessionStorage.clear()');
    await page.goto(`${url()}/`);
    await page.getByLabel('API key').fill('sk-fener-wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /unauthorized/);
    await screenshot(page, 'sign-in-refused');

    await signIn(page, url(), seeded.server.adminKey);
    assert.equal(await page.evaluate('sessionStorage.length'), 1);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'the key is gone after signing out');
    await signIn(page, url(), seeded.server.adminKey);
  });

  test('dashboard: requests, errors, tokens and cost of the seeded traffic, by model, and the top errors', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const tile = (label: string) => page.locator('.tile', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
    await tile('Requests').waitFor();
    assert.equal(await tile('Requests').innerText(), String(seeded.calls.total));
    assert.match(await tile('Errors').innerText(), new RegExp(`^${seeded.calls.errors} \\(`));
    const all = await traces();
    const inputTokens = all.reduce((sum, trace) => sum + (trace as unknown as { input_tokens: number }).input_tokens, 0);
    assert.equal((await tile('Input tokens').innerText()).replace(/,/g, ''), String(inputTokens));
    assert.match(await tile('Latency p50 / p95 / p99').innerText(), /\d+ ms/);
    assert.equal((await page.locator('figure.chart canvas').count()) >= 4, true, 'charts are drawn');

    const breakdown = page.getByRole('table', { name: 'Totals by model' });
    await breakdown.locator('tbody tr').first().waitFor();
    const rows = await breakdown.locator('tbody th').allInnerTexts();
    assert.deepEqual([...rows].sort(), ['down', 'large', 'small']);
    const smallRow = breakdown.locator('tbody tr', { has: page.locator('th', { hasText: /^small$/ }) });
    assert.match(await smallRow.innerText(), /\b4\b/, 'four calls to small');

    const failed = all.filter((trace) => trace.status === 'error');
    const topErrors = page.getByRole('table', { name: 'Top errors' });
    assert.match(await topErrors.innerText(), new RegExp(failed[0]!.error_code!));
    assert.match(await topErrors.locator('tbody tr').first().innerText(), new RegExp(`\\b${seeded.calls.errors}\\b`));
    await page.getByLabel('Split by').selectOption('key');
    await page.getByRole('table', { name: 'Totals by key' }).locator('tbody th', { hasText: /^key_/ }).first().waitFor();
    await screenshot(page, 'dashboard');
  });

  test('traces: the list, a filter, cursor pagination and one trace in full', async () => {
    await page.getByRole('link', { name: 'Traces' }).click();
    const rows = page.locator('table.traces tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), seeded.calls.total);

    await page.getByLabel('Status').selectOption('error');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForCount(page, 'table.traces tbody tr', seeded.calls.errors);
    for (const text of await rows.allInnerTexts()) assert.match(text, /down/);
    await screenshot(page, 'traces-errors');

    // More than a page (50) of traces: the rest comes with "Load more".
    for (let batch = 0; batch < 5; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, async () =>
          (await seeded.chat(seeded.appKey, { model: 'small', messages: [{ role: 'user', content: 'more' }] })).text(),
        ),
      );
    }
    await flushTraces(seeded.server);
    const total = (await traces()).length;
    await page.getByRole('button', { name: 'Clear' }).click();
    await waitForCount(page, 'table.traces tbody tr', 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await waitForCount(page, 'table.traces tbody tr', total);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no more pages');

    const streamed = (await traces('&model=large')).find((trace) => (trace as unknown as { stream: boolean }).stream)!;
    await page.getByLabel('Model').fill('large');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForCount(page, 'table.traces tbody tr', 2);
    await page.locator(`a[href="/traces/${streamed.id}"]`).click();
    await page.getByRole('heading', { name: `Trace ${streamed.id}` }).waitFor();
    const body = await page.locator('main').innerText();
    assert.match(body, /first token after \d+ ms/);
    assert.match(body, /\(streamed\)/);
    assert.match(body, /Seed call to large/);
    const full = await seeded.api<TraceView>('GET', `/api/traces/${streamed.id}`);
    const answer = await page.locator('pre.answer').innerText();
    assert.ok(answer.length > 0);
    assert.equal(answer, full.response_body?.message?.content);
    assert.match(body, /"feature": "seed"/);
    await screenshot(page, 'trace');
  });

  test('keys: a created key shows its secret once and works; limits change; a revoked key is marked revoked and refused', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Name').fill('console-made');
    await page.getByLabel('Requests per minute').fill('60');
    await page.getByLabel('Budget (USD)').fill('5');
    await page.getByLabel('Budget period').selectOption('month');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretInput = page.getByLabel('Secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    assert.match(secret, /^sk-fener-/);
    await screenshot(page, 'keys-created');
    const call = await seeded.chat(secret, { model: 'small', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(call.status, 200, await call.text());
    const row = page.locator('tr', { has: page.locator('th', { hasText: /^console-made$/ }) });
    assert.match(await row.innerText(), /60 rpm/);
    assert.match(await row.innerText(), /\$5\.00 \/ month/);

    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(secret), 'the secret is never shown again');

    const app = page.locator('tr', { has: page.locator('th', { hasText: /^app$/ }) });
    await page.getByRole('button', { name: 'Limits of app' }).click();
    await page.getByLabel('Requests/min').fill('120');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await app.getByText('120 rpm').waitFor();
    assert.match(await app.innerText(), /120 rpm/);
    const keys = await seeded.api<{ data: { name: string; limits: { rpm: number | null } }[] }>('GET', '/api/keys');
    assert.equal(keys.data.find((key) => key.name === 'app')?.limits.rpm, 120);

    await page.getByLabel('Show revoked keys').check();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke console-made' }).click();
    await row.locator('.badge.error').waitFor();
    assert.match(await row.innerText(), /revoked/);
    await screenshot(page, 'keys-revoked');
    const refused = await seeded.chat(secret, { model: 'small', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(refused.status, 401);
  });

  test('prompts: edit into a new version, diff it, move a label, and run it in the playground through the gateway', async () => {
    await page.getByRole('link', { name: 'Prompts' }).click();
    await page.getByRole('link', { name: 'greet' }).click();
    await page.getByRole('heading', { name: 'Version 1' }).waitFor();
    await page.getByRole('button', { name: 'Edit as a new version' }).click();
    await page.getByLabel('Content').nth(1).fill('Say a warm hello to {{person}} from {{place}}.');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByRole('heading', { name: 'Version 2' }).waitFor();
    const detail = await seeded.api<{ latest_version: number }>('GET', '/api/prompts/greet');
    assert.equal(detail.latest_version, 2);
    const v2 = await seeded.api<{ variables: Record<string, unknown> }>('GET', '/api/prompts/greet/versions/2');
    assert.deepEqual(Object.keys(v2.variables).sort(), ['person', 'place']);

    const diff = page.locator('.diff');
    await diff.waitFor();
    assert.match(
      await diff
        .locator('.diff-add')
        .allInnerTexts()
        .then((lines) => lines.join('\n')),
      /\+ .*warm hello to \{\{person\}\} from \{\{place\}\}/,
    );
    assert.match(
      await diff
        .locator('.diff-remove')
        .allInnerTexts()
        .then((lines) => lines.join('\n')),
      /- .*Say hello to \{\{person\}\}/,
    );

    await page.getByLabel('Label', { exact: true }).fill('staging');
    await page.getByLabel('Version', { exact: true }).selectOption('2');
    await page.getByRole('button', { name: 'Point label' }).click();
    await page.getByRole('list', { name: 'History of staging' }).waitFor();
    assert.match(await page.getByRole('list', { name: 'History of staging' }).innerText(), /set v2/);
    const labels = await seeded.api<{ labels: Record<string, number> }>('GET', '/api/prompts/greet');
    assert.deepEqual(labels.labels, { production: 1, staging: 2 });

    await page.getByLabel('person').fill('Ada');
    await page.getByLabel('place').fill('Lisbon');
    assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'small', 'the prompt model is preselected');
    await page.getByRole('button', { name: 'Run' }).click();
    const reply = page.locator('.reply pre.answer');
    await reply.waitFor();
    const text = await reply.innerText();
    assert.ok(text.length > 0);
    await flushTraces(seeded.server);
    const played = (await traces()).find((trace) => trace.metadata?.source === 'console-playground');
    assert.ok(played, 'the playground call is traced');
    const full = await seeded.api<TraceView & { request_body: { messages: { content: string }[] } }>('GET', `/api/traces/${played.id}`);
    assert.equal(full.response_body?.message?.content, text);
    assert.equal(full.request_body.messages[1]?.content, 'Say a warm hello to Ada from Lisbon.');
    assert.equal(full.metadata?.prompt, 'greet@2');
    await screenshot(page, 'prompt');
  });

  test('models and deployments: catalogue, registry aliases and versions, and a deployment rolled back', async () => {
    await page.getByRole('link', { name: 'Models & deployments' }).click();
    const catalogue = page.getByRole('table', { name: 'Gateway models' });
    await catalogue.locator('tbody tr').first().waitFor();
    const names = await catalogue.locator('tbody th').allInnerTexts();
    for (const name of ['down', 'large', 'small', 'registry/support-llm/v1'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    const registered = page.getByRole('article', { name: 'Registered model support-llm' });
    assert.match(await registered.innerText(), /champion → v1/);
    await registered.getByRole('button', { name: 'Show versions' }).click();
    await registered.locator('tbody tr').first().waitFor();
    assert.match(await registered.locator('tbody').innerText(), /upstream \/ gpt-4o-mini/);

    const deployment = page.getByRole('article', { name: 'Deployment support' });
    assert.match(await deployment.locator('h3').innerText(), /serving v2/);
    await deployment.getByRole('button', { name: 'Roll back support' }).click();
    await deployment.locator('h3', { hasText: 'serving v3' }).waitFor();
    assert.match(await deployment.innerText(), /copy of v1/);
    const stored = await seeded.api<{ active_version: number; versions: { version: number; model: string }[] }>(
      'GET',
      '/api/deployments/support',
    );
    assert.equal(stored.active_version, 3);
    assert.equal(stored.versions.find((version) => version.version === 3)?.model, 'small');
    await screenshot(page, 'models');
  });

  test('audit: every change above is in the log, and the chain verifies', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    const table = page.getByRole('table', { name: 'Audit entries, newest first' });
    await table.locator('tbody tr').first().waitFor();
    const entries = await seeded.api<{ data: { action: string }[] }>('GET', '/api/audit?limit=50');
    assert.equal(await table.locator('tbody tr').count(), entries.data.length);
    const log = await table.innerText();
    assert.match(log, /alias\.move/);
    assert.match(log, new RegExp(entries.data[0]!.action.replace('.', '\\.')));
    await page.getByLabel('Object type').fill('deployment');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(`[...document.querySelectorAll('table tbody tr')].every((row) => row.textContent.includes('deployment'))`);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Chain' });
    await verdict.waitFor();
    assert.match(await verdict.innerText(), /Chain intact: \d+ entries checked/);
    await screenshot(page, 'audit');
  });

  test('a project key sees its own project only', async () => {
    await seeded.api('POST', '/api/projects', { name: 'other' });
    const other = await seeded.api<{ key: string; id: string }>('POST', '/api/keys', { name: 'other-app', project: 'other' });
    await (await seeded.chat(other.key, { model: 'small', messages: [{ role: 'user', content: 'other project' }] })).text();
    await flushTraces(seeded.server);
    const otherTrace = (await traces()).find((trace) => trace.key_id === other.id)!;

    const projectPage = await browser.newPage();
    await signIn(projectPage, url(), seeded.appKey);
    const nav = await projectPage.getByRole('navigation', { name: 'Console' }).getByRole('link').allInnerTexts();
    assert.deepEqual(nav, ['Dashboard', 'Traces', 'Feedback']);
    assert.match(await projectPage.locator('nav').innerText(), /project default/);
    await projectPage.getByRole('link', { name: 'Traces' }).click();
    await projectPage.locator('table.traces tbody tr').first().waitFor();
    const own = (await traces()).filter((trace) => trace.project_id !== otherTrace.project_id && trace.key_id !== null).length;
    const shown = await projectPage.locator('table.traces tbody tr').count();
    assert.equal(shown, Math.min(own, 50));
    assert.ok(!(await projectPage.locator('table.traces').innerText()).includes(other.id));

    await projectPage.goto(`${url()}/traces/${otherTrace.id}`);
    await projectPage.getByRole('alert').waitFor();
    assert.match(await projectPage.getByRole('alert').innerText(), /not_found/);
    await projectPage.goto(`${url()}/keys`);
    await projectPage.getByRole('alert').waitFor();
    assert.match(await projectPage.getByRole('alert').innerText(), /needs the admin key/);
    await projectPage.getByRole('link', { name: 'Dashboard' }).click();
    await projectPage.locator('.tile').first().waitFor();
    await screenshot(projectPage, 'project-key');
    await projectPage.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(errors, []);
  });
});
