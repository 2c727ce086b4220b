/**
 * Setting up review work from the console, in real Chromium: a score definition, a queue that
 * answers with it, traces added by id and by filter, and one item answered — each checked against
 * what the API stored; refused input shows the API's message, keeps what was typed, writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsole, type SeededConsole } from './support/console-seed.js';

interface StoredDefinition {
  name: string;
  kind: string;
  min: number | null;
  max: number | null;
  categories: string[] | null;
  description: string | null;
}
interface StoredQueue {
  name: string;
  reviewers: string[];
  assignment: string;
  required_reviews: number;
  score_name: string | null;
  description: string | null;
  item_count: number;
}
interface TraceRow {
  id: string;
  status: string;
}

describe('web console: score definitions, queues and their items', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let traces: TraceRow[];

  before(async () => {
    seeded = await seedConsole();
    // Every seeded call is traced before the test reads them.
    for (let attempt = 0; attempt < 200; attempt++) {
      traces = (await seeded.api<{ data: TraceRow[] }>('GET', '/api/traces?limit=100')).data;
      if (traces.length === seeded.calls.total) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(traces.length, seeded.calls.total);
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
    await page.getByRole('link', { name: 'Feedback', exact: true }).click();
    await page.getByRole('heading', { name: 'Define a score' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  const definitions = async (): Promise<StoredDefinition[]> =>
    (await seeded.api<{ data: StoredDefinition[] }>('GET', '/api/score-definitions')).data;
  const queues = async (): Promise<StoredQueue[]> => (await seeded.api<{ data: StoredQueue[] }>('GET', '/api/queues')).data;

  test('a categorical score is defined through the form and listed', async () => {
    const form = page.locator('form[aria-labelledby="define-score"]');
    await form.getByLabel('Name').fill('tone');
    await form.getByLabel('Kind').selectOption('categorical');
    await form.getByLabel('Categories (comma-separated)').fill('friendly, neutral,rude');
    await form.getByLabel('Description').fill('How the answer sounds');
    await form.getByRole('button', { name: 'Save definition' }).click();
    await form.getByRole('status').filter({ hasText: 'Defined score “tone”.' }).waitFor();
    const table = page.getByRole('table', { name: 'Score definitions' });
    await table.locator('tbody th', { hasText: 'tone' }).waitFor();
    assert.match(
      await table.locator('tbody tr').first().innerText(),
      /^tone\s+default\s+categorical\s+friendly \/ neutral \/ rude\s+How the answer sounds/,
    );
    const stored = (await definitions()).find((entry) => entry.name === 'tone');
    assert.deepEqual(
      { kind: stored?.kind, categories: stored?.categories, min: stored?.min, max: stored?.max, description: stored?.description },
      { kind: 'categorical', categories: ['friendly', 'neutral', 'rude'], min: null, max: null, description: 'How the answer sounds' },
    );
  });

  test('a numeric range upside down is refused with the API’s message; the input stays, nothing is written', async () => {
    const form = page.locator('form[aria-labelledby="define-score"]');
    await form.getByLabel('Name').fill('stars');
    await form.getByLabel('Kind').selectOption('numeric');
    await form.getByLabel('Lowest value').fill('5');
    await form.getByLabel('Highest value').fill('1');
    await form.getByRole('button', { name: 'Save definition' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /invalid_request.*max.*must not be below min/s);
    assert.deepEqual([await form.getByLabel('Name').inputValue(), await form.getByLabel('Lowest value').inputValue()], ['stars', '5']);
    assert.equal(
      (await definitions()).find((entry) => entry.name === 'stars'),
      undefined,
    );
    // Corrected, it is saved, and the error goes away.
    await form.getByLabel('Lowest value').fill('1');
    await form.getByLabel('Highest value').fill('5');
    await form.getByRole('button', { name: 'Save definition' }).click();
    await form.getByRole('status').filter({ hasText: 'Defined score “stars”.' }).waitFor();
    assert.equal(await form.getByRole('alert').count(), 0);
    const stars = (await definitions()).find((entry) => entry.name === 'stars');
    assert.deepEqual([stars?.kind, stars?.min, stars?.max], ['numeric', 1, 5]);
  });

  test('a queue is created through the form, answering with the new score; a second one of that name is refused', async () => {
    const form = page.locator('form[aria-labelledby="create-queue"]');
    await form.getByLabel('Name').fill('tone-review');
    await form.getByLabel('Reviewers (comma-separated)').fill('ann, ben');
    await form.getByLabel('Reviews per item').fill('2');
    await form.getByLabel('Answer with').selectOption('tone');
    await form.getByLabel('Description').fill('Is the tone right?');
    await form.getByRole('button', { name: 'Create queue' }).click();
    const list = page.getByRole('table', { name: 'Annotation queues' });
    await list.locator('tbody th', { hasText: 'tone-review' }).waitFor();
    assert.match(
      await list.locator('tr', { has: page.locator('th', { hasText: 'tone-review' }) }).innerText(),
      /tone-review\s+tone\s+ann, ben\s+2\s+0/,
    );
    const stored = (await queues()).find((queue) => queue.name === 'tone-review');
    assert.deepEqual(
      stored && [stored.reviewers, stored.assignment, stored.required_reviews, stored.score_name, stored.description, stored.item_count],
      [['ann', 'ben'], 'round_robin', 2, 'tone', 'Is the tone right?', 0],
    );

    await form.getByLabel('Name').fill('tone-review');
    await form.getByRole('button', { name: 'Create queue' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /tone-review/);
    assert.equal(await form.getByLabel('Reviewers (comma-separated)').inputValue(), 'ann, ben', 'what was typed stays');
    assert.equal((await queues()).filter((queue) => queue.name === 'tone-review').length, 1);
  });

  test('traces are added by id and by filter, counting those already in; an item is answered with the categories', async () => {
    await page.getByRole('table', { name: 'Annotation queues' }).getByRole('link', { name: 'tone-review' }).click();
    await page.getByRole('heading', { name: 'Queue tone-review' }).waitFor();
    const form = page.locator('form[aria-labelledby="add-items"]');
    const ok = traces.filter((trace) => trace.status === 'ok').map((trace) => trace.id);
    const failed = traces.filter((trace) => trace.status === 'error').map((trace) => trace.id);
    assert.ok(ok.length >= 3 && failed.length >= 1, `seeded traces: ${ok.length} ok, ${failed.length} failed`);

    await form.getByLabel('Trace ids (one per line or comma-separated)').fill(`${ok[0]}\n${ok[1]}`);
    await form.getByRole('button', { name: 'Add to queue' }).click();
    await form.getByRole('status').filter({ hasText: '2 added, 0 already in the queue.' }).waitFor();
    await form.getByLabel('Trace ids (one per line or comma-separated)').fill(`${ok[1]}, ${ok[2]}`);
    await form.getByRole('button', { name: 'Add to queue' }).click();
    await form.getByRole('status').filter({ hasText: '1 added, 1 already in the queue.' }).waitFor();

    await form.getByLabel('The newest matching a filter').check();
    await form.getByLabel('Status').selectOption('error');
    await form.getByLabel('At most').fill('10');
    await form.getByRole('button', { name: 'Add to queue' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `${failed.length} added, 0 already in the queue.` })
      .waitFor();
    const stored = (await queues()).find((queue) => queue.name === 'tone-review');
    assert.equal(stored?.item_count, 3 + failed.length);
    await page.getByText(`0 of ${3 + failed.length} items complete`).waitFor();

    // The queue answers with the categorical score: its categories are the choices.
    assert.equal(await page.getByLabel('Reviewer').inputValue(), 'ann');
    await page.getByRole('radio', { name: 'neutral' }).check();
    await page.getByRole('button', { name: 'Submit answer' }).click();
    await page
      .getByRole('table', { name: 'Progress per reviewer' })
      .locator('tr', { has: page.locator('th', { hasText: 'ann' }) })
      .waitFor();
    const given = await seeded.api<{ data: { kind: string; name: string; label: string | null; queue_item_id: string | null }[] }>(
      'GET',
      '/api/feedback?name=tone',
    );
    assert.deepEqual(
      given.data.map((entry) => [entry.kind, entry.name, entry.label, entry.queue_item_id !== null]),
      [['label', 'tone', 'neutral', true]],
    );
    await screenshot(page, 'feedback-setup');
    assert.deepEqual(errors, []);
  });
});
