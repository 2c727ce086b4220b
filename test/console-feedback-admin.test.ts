/**
 * Setting up review work from the console, in real Chromium, beyond console-feedback-setup's
 * round-robin queue: a numeric score and its replacement (the form says it replaces before it
 * does), an explicit-assignment queue, a trace put into it from the trace's own page with its
 * reviewers chosen, traces added by end user and session, and an item answered on the queue page.
 * Each step is checked against what the API stored; each refusal shows the API's message, keeps
 * what was typed and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsole, type SeededConsole } from './support/console-seed.js';
import { flushTraces } from './support/fener.js';

interface StoredDefinition {
  name: string;
  project_id: string;
  kind: string;
  min: number | null;
  max: number | null;
  categories: string[] | null;
  description: string | null;
}
interface StoredQueue {
  name: string;
  project_id: string;
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
  end_user: string | null;
}
interface NextItem {
  item: { source_kind: string; source_id: string } | null;
}

const customerCalls = 3;

/** An error notice's first line: the API's code and message (a request id follows). */
async function refusal(form: Locator): Promise<string> {
  const alert = form.getByRole('alert');
  await alert.waitFor();
  return (await alert.innerText()).split('\n')[0] ?? '';
}

describe('web console: an explicit queue set up, filled from a trace page and by filter, and answered', () => {
  let seeded: SeededConsole;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let traces: TraceRow[];
  let projectId: string;
  /** The ok trace put into the queue from its page. */
  let chosen: string;

  before(async () => {
    seeded = await seedConsole();
    // Calls of one end user in one session, for the queue's filter to find among the seeded ones.
    for (let index = 0; index < customerCalls; index++) {
      const response = await seeded.chat(
        seeded.appKey,
        { model: 'small', messages: [{ role: 'user', content: `Customer question ${index}` }] },
        { 'x-fener-user': 'cust-7', 'x-fener-session-id': 'sess-1' },
      );
      assert.equal(response.status, 200, await response.text());
    }
    await flushTraces(seeded.server);
    const expected = seeded.calls.total + customerCalls;
    for (let attempt = 0; attempt < 200; attempt++) {
      traces = (await seeded.api<{ data: TraceRow[] }>('GET', '/api/traces?limit=100')).data;
      if (traces.length === expected) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(traces.length, expected);
    chosen = traces.find((trace) => trace.status === 'ok' && trace.end_user === null)!.id;
    projectId = (await seeded.api<{ data: { id: string; name: string }[] }>('GET', '/api/projects')).data.find(
      (project) => project.name === 'default',
    )!.id;
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
  const next = (reviewer: string): Promise<NextItem> => seeded.api<NextItem>('GET', `/api/queues/accuracy-audit/next?reviewer=${reviewer}`);

  test('a numeric score is defined; typing its name again says saving replaces it, and replacing stores the new range', async () => {
    const form = page.locator('form[aria-labelledby="define-score"]');
    await form.getByLabel('Name').fill('accuracy');
    await form.getByLabel('Kind').selectOption('numeric');
    await form.getByLabel('Lowest value').fill('0');
    await form.getByLabel('Highest value').fill('10');
    await form.getByLabel('Description').fill('How right the answer is');
    await form.getByRole('button', { name: 'Save definition' }).click();
    await form.getByRole('status').filter({ hasText: 'Defined score “accuracy”.' }).waitFor();
    const table = page.getByRole('table', { name: 'Score definitions' });
    await table.locator('tbody th', { hasText: 'accuracy' }).waitFor();
    assert.match(
      await table.locator('tr', { has: page.locator('th', { hasText: 'accuracy' }) }).innerText(),
      /^accuracy\s+default\s+numeric\s+0 to 10\s+How right the answer is$/,
    );
    const stored = (await definitions()).filter((entry) => entry.name === 'accuracy');
    assert.deepEqual(
      stored.map(({ project_id, kind, min, max, categories, description }) => ({ project_id, kind, min, max, categories, description })),
      [{ project_id: projectId, kind: 'numeric', min: 0, max: 10, categories: null, description: 'How right the answer is' }],
    );
    assert.equal(await form.getByLabel('Name').inputValue(), '', 'the form is emptied for the next definition');

    // The same name again: the form says what saving would replace before anything is written.
    await form.getByLabel('Name').fill('accuracy');
    assert.equal(
      await form.locator('#score-replaces').innerText(),
      'default already has “accuracy” (numeric: 0 to 10): saving replaces it. Feedback already given keeps its values.',
    );
    assert.equal(await form.getByRole('button', { name: 'Save definition' }).count(), 0);
    await form.getByLabel('Lowest value').fill('1');
    await form.getByLabel('Highest value').fill('5');
    await form.getByLabel('Description').fill('1 wrong, 5 right');
    await form.getByRole('button', { name: 'Replace definition' }).click();
    await form.getByRole('status').filter({ hasText: 'Replaced score “accuracy”.' }).waitFor();
    const replaced = (await definitions()).filter((entry) => entry.name === 'accuracy');
    assert.deepEqual(
      replaced.map(({ kind, min, max, description }) => [kind, min, max, description]),
      [['numeric', 1, 5, '1 wrong, 5 right']],
    );
    await table.getByText('1 to 5').waitFor();
  });

  test('a score name with a space is refused with the API’s message; the input stays, nothing is written', async () => {
    const form = page.locator('form[aria-labelledby="define-score"]');
    await form.getByLabel('Name').fill('tone of voice');
    await form.getByLabel('Kind').selectOption('categorical');
    await form.getByLabel('Categories (comma-separated)').fill('formal, casual');
    await form.getByRole('button', { name: 'Save definition' }).click();
    assert.match(await refusal(form), /^invalid_request: params.name: use letters, digits, "\.", "_" and "-"/);
    assert.deepEqual(
      [await form.getByLabel('Name').inputValue(), await form.getByLabel('Categories (comma-separated)').inputValue()],
      ['tone of voice', 'formal, casual'],
    );
    assert.deepEqual(
      (await definitions()).map((entry) => entry.name),
      ['accuracy'],
    );
  });

  test('an explicit queue with more reviews per item than reviewers is refused; with a third reviewer it is created', async () => {
    const form = page.locator('form[aria-labelledby="create-queue"]');
    await form.getByLabel('Name').fill('accuracy-audit');
    await form.getByLabel('Reviewers (comma-separated)').fill('ann, ben');
    await form.getByLabel('Assignment').selectOption('explicit');
    await form.getByLabel('Reviews per item').fill('3');
    await form.getByLabel('Answer with').selectOption('accuracy');
    await form.getByLabel('Description').fill('Two of three check each answer');
    await form.getByRole('button', { name: 'Create queue' }).click();
    assert.equal(await refusal(form), 'invalid_request: required_reviews_per_item: 3 needs at least as many reviewers (2 given)');
    assert.deepEqual(
      [await form.getByLabel('Name').inputValue(), await form.getByLabel('Reviews per item').inputValue()],
      ['accuracy-audit', '3'],
    );
    assert.deepEqual(await queues(), []);

    await form.getByLabel('Reviewers (comma-separated)').fill('ann, ben, cy');
    await form.getByLabel('Reviews per item').fill('2');
    await form.getByRole('button', { name: 'Create queue' }).click();
    const list = page.getByRole('table', { name: 'Annotation queues' });
    await list.locator('tbody th', { hasText: 'accuracy-audit' }).waitFor();
    assert.match(
      await list.locator('tr', { has: page.locator('th', { hasText: 'accuracy-audit' }) }).innerText(),
      /^accuracy-audit\s+accuracy\s+ann, ben, cy\s+2\s+0\s/,
    );
    assert.equal(await form.getByRole('alert').count(), 0);
    assert.deepEqual(
      (await queues()).map(({ name, project_id, reviewers, assignment, required_reviews, score_name, description, item_count }) => ({
        name,
        project_id,
        reviewers,
        assignment,
        required_reviews,
        score_name,
        description,
        item_count,
      })),
      [
        {
          name: 'accuracy-audit',
          project_id: projectId,
          reviewers: ['ann', 'ben', 'cy'],
          assignment: 'explicit',
          required_reviews: 2,
          score_name: 'accuracy',
          description: 'Two of three check each answer',
          item_count: 0,
        },
      ],
    );
  });

  test('a trace goes into the queue from its own page, for the reviewers ticked; too few is refused, twice is "already in"', async () => {
    await page.goto(`${seeded.server.url}/traces/${chosen}`);
    const region = page.getByRole('region', { name: 'Add to an annotation queue' });
    await region.getByLabel('Queue', { exact: true }).selectOption('accuracy-audit');
    const reviewers = region.getByRole('group', { name: 'Reviewers of this trace (at least 2)' });
    await reviewers.getByLabel('ann').check();
    await region.getByRole('button', { name: 'Add to queue' }).click();
    assert.equal(await refusal(region), 'invalid_request: reviewers: this queue assigns explicitly; name at least 2 reviewer(s)');
    assert.equal(await reviewers.getByLabel('ann').isChecked(), true, 'the ticked reviewer stays ticked');
    assert.equal((await queues())[0]?.item_count, 0);

    await reviewers.getByLabel('cy').check();
    await region.getByRole('button', { name: 'Add to queue' }).click();
    await region.getByRole('status').filter({ hasText: 'Added to accuracy-audit.' }).waitFor();
    assert.equal(await region.getByRole('alert').count(), 0);
    assert.equal((await queues())[0]?.item_count, 1);
    assert.deepEqual(
      [(await next('ann')).item?.source_id, (await next('ben')).item, (await next('cy')).item?.source_id],
      [chosen, null, chosen],
    );

    await region.getByRole('button', { name: 'Add to queue' }).click();
    await region.getByRole('status').filter({ hasText: 'Already in accuracy-audit.' }).waitFor();
    assert.equal((await queues())[0]?.item_count, 1);
    await screenshot(page, 'feedback-admin-trace');
    await region.getByRole('link', { name: 'accuracy-audit' }).click();
    await page.getByRole('heading', { name: 'Queue accuracy-audit' }).waitFor();
  });

  test('the queue page adds one end user’s session for two reviewers, and ann answers her item with the score', async () => {
    const form = page.locator('form[aria-labelledby="add-items"]');
    await form.getByLabel('The newest matching a filter').check();
    await form.getByLabel('End user').fill('cust-7');
    await form.getByLabel('Session').fill('sess-1');
    await form.getByLabel('At most').fill('10');
    const reviewers = form.getByRole('group', { name: 'Reviewers of these items (at least 2)' });
    await reviewers.getByLabel('ben').check();
    await reviewers.getByLabel('cy').check();
    await form.getByRole('button', { name: 'Add to queue' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `${customerCalls} added, 0 already in the queue.` })
      .waitFor();
    const stored = await seeded.api<StoredQueue & { progress: { reviewers: { reviewer: string; assigned: number; done: number }[] } }>(
      'GET',
      '/api/queues/accuracy-audit',
    );
    assert.equal(stored.item_count, 1 + customerCalls);
    assert.deepEqual(
      stored.progress.reviewers.map((entry) => [entry.reviewer, entry.assigned, entry.done]),
      [
        ['ann', 1, 0],
        ['ben', customerCalls, 0],
        ['cy', 1 + customerCalls, 0],
      ],
    );
    await page.getByText(`0 of ${1 + customerCalls} items complete`).waitFor();

    // ann's one item is the trace added from its page; the score's 1–5 range is the choices.
    const review = page.getByRole('region', { name: 'Review' });
    assert.equal(await review.getByLabel('Reviewer').inputValue(), 'ann');
    await review.getByRole('link', { name: chosen }).waitFor();
    assert.equal(await review.getByRole('group', { name: 'accuracy (1–5)' }).getByRole('radio').count(), 5);
    await review.getByRole('radio', { name: '4' }).check();
    await review.getByLabel('Comment (optional)').fill('mostly right');
    await review.getByRole('button', { name: 'Submit answer' }).click();
    await review.getByText('Nothing left for ann in this queue.').waitFor();
    const given = await seeded.api<{
      data: { kind: string; name: string; value: number | null; trace_id: string | null; author: string | null; comment: string | null }[];
    }>('GET', '/api/feedback?name=accuracy');
    assert.deepEqual(
      given.data.map(({ kind, name, value, trace_id, author, comment }) => ({ kind, name, value, trace_id, author, comment })),
      [{ kind: 'score', name: 'accuracy', value: 4, trace_id: chosen, author: 'ann', comment: 'mostly right' }],
    );
    await screenshot(page, 'feedback-admin');
    assert.deepEqual(errors, []);
  });
});
