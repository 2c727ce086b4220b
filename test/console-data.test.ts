/**
 * Issue #8, the improvement loop in the console, in real Chromium against seeded data: datasets
 * (versions, items, diff, an import through the form), experiments (a run, two runs compared),
 * an annotation queue answered, feedback given on a trace, and a deployment's canary panel.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultConsoleDir } from '../src/server/console.js';
import { launchBrowser, pageErrors, screenshot, signIn, type Browser } from './support/browser.js';
import { seedConsoleData, type SeededData } from './support/console-data-seed.js';

interface RunView {
  id: string;
  summary: { variants: { variant: string; scores: Record<string, { mean: number; low: number; high: number }> }[] };
}

const cells = (page: Page, selector: string): Promise<string[]> => page.locator(selector).allInnerTexts();

describe('web console: datasets, experiments, feedback and canary', () => {
  let seeded: SeededData;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const url = (): string => seeded.server.url;

  before(async () => {
    assert.ok(existsSync(`${defaultConsoleDir}/index.html`), `the console is not built in ${defaultConsoleDir}: run "npm run build" first`);
    seeded = await seedConsoleData();
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = pageErrors(page);
    await signIn(page, url(), seeded.server.adminKey);
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  test('datasets: versions, the items of a version, and the diff of the two seeded versions', async () => {
    await page.getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByRole('link', { name: 'qa' }).click();
    await page.getByRole('heading', { name: 'Dataset qa' }).waitFor();
    const versions = page.getByRole('table', { name: 'Versions, newest first' });
    assert.deepEqual(await versions.locator('tbody th').allInnerTexts(), ['v2', 'v1']);
    assert.match(await versions.locator('tbody tr').first().innerText(), /^v2\s+–\s+items\s+5\s+kind: api/);

    const items = page.getByRole('table', { name: 'Items' });
    assert.deepEqual(await items.locator('tbody th').allInnerTexts(), ['q1', 'q2', 'q3', 'q4', 'q6']);
    assert.match(await items.locator('tbody tr').first().innerText(), /It left the warehouse today\./);
    await page.getByLabel('Version', { exact: true }).selectOption('1');
    await items.locator('tbody th', { hasText: 'q5' }).waitFor();
    assert.match(await items.locator('tbody tr').first().innerText(), /In transit\./);

    const diff = page.getByRole('group', { name: 'Diff v1 to v2' });
    await diff.waitFor();
    const tile = (kind: string) => diff.locator(`.tile.diff-${kind} dd`);
    assert.deepEqual(
      [
        await tile('added').innerText(),
        await tile('removed').innerText(),
        await tile('changed').innerText(),
        await tile('unchanged').innerText(),
      ],
      ['1', '1', '1', '3'],
    );
    assert.deepEqual(await diff.getByRole('list', { name: 'added items' }).locator('li').allInnerTexts(), ['q6']);
    assert.deepEqual(await diff.getByRole('list', { name: 'removed items' }).locator('li').allInnerTexts(), ['q5']);
    assert.deepEqual(await diff.getByRole('list', { name: 'changed items' }).locator('li').allInnerTexts(), ['q1']);
    await screenshot(page, 'dataset');
  });

  test('datasets: items page by page', async () => {
    await page.getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByRole('link', { name: 'many' }).click();
    const ids = () => page.getByRole('table', { name: 'Items' }).locator('tbody th').allInnerTexts();
    await page.getByRole('table', { name: 'Items' }).locator('tbody tr').first().waitFor();
    const first = await ids();
    assert.equal(first.length, 25);
    assert.deepEqual([first[0], first[24]], ['m1', 'm25']);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    assert.deepEqual(await ids(), ['m26', 'm27', 'm28', 'm29', 'm30']);
    assert.ok(await page.getByRole('button', { name: 'Next page' }).isDisabled(), 'the last page');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1').waitFor();
    assert.equal((await ids())[0], 'm1');
    await page.getByRole('link', { name: '← Datasets' }).click();
    await page.getByRole('link', { name: 'qa' }).click();
    await page.getByRole('heading', { name: 'Dataset qa' }).waitFor();
  });

  test('datasets: a JSONL file imported through the form is a new version; a broken line is refused with its number', async () => {
    const lines = [
      '{"id":"q7","messages":[{"role":"user","content":"Can I pay by card?"}],"expected":"Yes."}',
      '{"id":"q8","variables":{"topic":"billing"}}',
    ];
    await page
      .getByLabel('JSONL file')
      .setInputFiles({ name: 'more.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${lines.join('\n')}\n`) });
    await page.getByText('2 lines from more.jsonl').waitFor();
    await page.getByLabel('Add to the latest version').check();
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.getByRole('status').filter({ hasText: 'Created v3' });
    await report.waitFor();
    assert.match(await report.innerText(), /2 accepted, 0 rejected, 7 items in the version/);
    const versions = page.getByRole('table', { name: 'Versions, newest first' });
    await versions.locator('tbody th', { hasText: 'v3' }).waitFor();
    assert.match(await versions.locator('tbody tr').first().innerText(), /v3\s+v2\s+import\s+7/);
    const stored = await seeded.api<{
      latest_version: number;
      versions: { version: number; item_count: number; source: { name?: string } }[];
    }>('GET', '/api/datasets/qa');
    assert.equal(stored.latest_version, 3);
    assert.equal(stored.versions[0]!.item_count, 7);
    assert.equal(stored.versions[0]!.source.name, 'more.jsonl');
    const v3 = await seeded.api<{ data: { id: string }[] }>('GET', '/api/datasets/qa/versions/3/items');
    assert.deepEqual(
      v3.data.map((item) => item.id),
      ['q1', 'q2', 'q3', 'q4', 'q6', 'q7', 'q8'],
    );

    await page.getByLabel('Or paste the lines').fill('{"id":"q9","messages":[{"role":"user","content":"ok"}]}\n{not json');
    await page.getByRole('button', { name: 'Import' }).click();
    const refused = page.locator('form[aria-labelledby="import-heading"] [role="alert"]');
    await refused.waitFor();
    assert.match(await refused.innerText(), /line 2/);
    assert.equal((await seeded.api<{ latest_version: number }>('GET', '/api/datasets/qa')).latest_version, 3, 'nothing written');
    await screenshot(page, 'dataset-import');
  });

  test('experiments: a run with its metric intervals, and two runs compared item by item', async () => {
    const [baseline, candidate] = await Promise.all([
      seeded.api<RunView>('GET', `/api/evals/runs/${seeded.runs.baseline}`),
      seeded.api<RunView>('GET', `/api/evals/runs/${seeded.runs.candidate}`),
    ]);
    assert.equal(
      candidate.summary.variants[0]!.scores.exact_match!.mean,
      seeded.yesItems.length / 6,
      'the candidate is right on the yes items',
    );
    assert.equal(baseline.summary.variants[0]!.scores.exact_match!.mean, 0);

    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    const runs = page.getByRole('table', { name: 'Runs, newest first' });
    await runs.locator('tbody tr').first().waitFor();
    assert.deepEqual(await runs.locator('tbody th').allInnerTexts(), [seeded.runs.candidate, seeded.runs.baseline]);
    await runs.getByRole('link', { name: seeded.runs.candidate }).click();
    const metrics = page.getByRole('table', { name: 'Metrics per variant' });
    await metrics.waitFor();
    const json = candidate.summary.variants[0]!.scores.exact_match!;
    const row = await metrics.locator('tbody tr').first().innerText();
    assert.match(row, /^json\s+small/);
    assert.ok(row.includes(`${Number(json.mean.toFixed(4))} [${Number(json.low.toFixed(4))}, ${Number(json.high.toFixed(4))}]`), row);
    assert.equal(await page.locator('figure.chart svg[role="img"]').count(), 2, 'one interval chart per metric');
    // The per-item table renders after the metrics: wait for its rows before counting them.
    const results = page.getByRole('table', { name: 'Results per item and variant' }).locator('tbody tr');
    await results.nth(5).waitFor();
    assert.equal(await results.count(), 6);
    await screenshot(page, 'experiment-run');

    await page.getByRole('link', { name: '← Experiments' }).click();
    await page.getByLabel('Baseline run').selectOption(seeded.runs.baseline);
    await page.getByLabel('Candidate run').selectOption(seeded.runs.candidate);
    await page.getByRole('button', { name: 'Compare' }).click();
    const deltas = page.getByRole('table', { name: 'Metric differences' });
    await deltas.waitFor();
    assert.deepEqual(await deltas.locator('tbody th').allInnerTexts(), ['exact_match', 'json_valid']);
    const exact = deltas.locator('tbody tr', { has: page.locator('th', { hasText: 'exact_match' }) });
    assert.match(await exact.innerText(), /\+0\.6667/);
    assert.match(await exact.innerText(), /4 \/ 0 \/ 2/, 'four wins, no loss, two ties');
    const valid = deltas.locator('tbody tr', { has: page.locator('th', { hasText: 'json_valid' }) });
    assert.match(await valid.innerText(), /\+1\b[\s\S]*better/);
    assert.match(await page.locator('main').innerText(), /over\s+6\s+paired items/);

    const items = page.getByRole('table', { name: 'Per-item differences of exact_match' });
    assert.deepEqual(await cells(page, 'table.item-differences tbody td:last-child'), ['+1', '+1', '+1', '+1', '0', '0']);
    await items.getByRole('button', { name: /^Difference/ }).click();
    assert.deepEqual(await cells(page, 'table.item-differences tbody td:last-child'), ['0', '0', '+1', '+1', '+1', '+1']);
    assert.deepEqual(await items.locator('tbody th').allInnerTexts(), ['r5', 'r6', 'r1', 'r2', 'r3', 'r4']);
    assert.equal(await items.locator('th[aria-sort="ascending"]').count(), 1);
    assert.ok((await page.locator('figure.chart canvas').count()) >= 1, 'the per-item bars are drawn');
    await page.getByLabel('Metric', { exact: true }).selectOption('json_valid');
    await page.getByRole('table', { name: 'Per-item differences of json_valid' }).waitFor();
    await screenshot(page, 'experiment-compare');
  });

  test('feedback: a queue item answered as a reviewer, with progress and agreement updated', async () => {
    await page.getByRole('link', { name: 'Feedback', exact: true }).click();
    const queues = page.getByRole('table', { name: 'Annotation queues' });
    await queues.locator('tbody tr').first().waitFor();
    assert.match(await queues.locator('tbody tr').first().innerText(), /review\s+helpfulness\s+ann, ben\s+2\s+3/);
    await queues.getByRole('link', { name: 'review' }).click();
    await page.getByRole('heading', { name: 'Queue review' }).waitFor();
    assert.equal(await page.getByLabel('Reviewer').inputValue(), 'ann');
    const item = await seeded.api<{ item: { id: string; input_text: string; output_text: string } }>(
      'GET',
      '/api/queues/review/next?reviewer=ann',
    );
    assert.equal(item.item.id, seeded.answeredItem, 'ann gets the item ben answered');
    assert.equal(await page.locator('pre.review-output').innerText(), item.item.output_text);
    const agreement = page.getByRole('table', { name: 'Agreement per score' });
    assert.match(await agreement.locator('tbody tr').first().innerText(), /^helpfulness\s+0\s+–/, 'one answer: nothing to compare yet');

    // Keyboard only: the score choices are radios in a labelled group, the answer a submit button.
    await page.getByRole('radio', { name: '4' }).focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Comment (optional)').fill('Helpful enough');
    await page.getByRole('button', { name: 'Submit answer' }).focus();
    await page.keyboard.press('Enter');

    await page.waitForFunction(`document.querySelector('table.agreement tbody td')?.textContent === '1'`);
    assert.match(await agreement.locator('tbody tr').first().innerText(), /^helpfulness\s+1\s+1\b/);
    const progress = page.getByRole('table', { name: 'Progress per reviewer' });
    assert.match(await progress.locator('tr', { has: page.locator('th', { hasText: 'ann' }) }).innerText(), /ann\s+3\s+1\s+0\s+2/);
    assert.match(await page.locator('main').innerText(), /1 of 3 items complete/);
    const next = await page.locator('form[aria-label^="Item"] p.muted').innerText();
    assert.ok(!next.includes(seeded.answeredItem), 'the next item is shown');
    const stored = await seeded.api<{ data: { value: number; comment: string; queue_item_id: string; name: string }[] }>(
      'GET',
      '/api/feedback?name=helpfulness',
    );
    const mine = stored.data.find((entry) => entry.comment === 'Helpful enough');
    assert.deepEqual([mine?.value, mine?.queue_item_id], [4, seeded.answeredItem]);
    await screenshot(page, 'feedback-queue');
  });

  test('traces: feedback given on a trace page is stored and shown there', async () => {
    const traces = await seeded.api<{ data: { id: string; model: string; status: string }[] }>(
      'GET',
      '/api/traces?limit=100&model=large&status=ok',
    );
    const trace = traces.data[0]!;
    await page.goto(`${url()}/traces/${trace.id}`);
    await page.getByRole('heading', { name: `Trace ${trace.id}` }).waitFor();
    await page.getByText('No feedback on this trace yet.').waitFor();
    const up = page.getByRole('button', { name: '👍 Thumbs up' });
    await up.click();
    assert.equal(await up.getAttribute('aria-pressed'), 'true');
    await page.getByLabel('Score', { exact: true }).selectOption('helpfulness');
    await page.getByLabel(/^Value/).fill('5');
    await page.getByLabel('Comment (optional)').fill('Exactly right');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    const table = page.getByRole('table', { name: 'Feedback on this trace, newest first' });
    await table.locator('tbody tr').nth(1).waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.ok(
      rows.some((row) => /^thumbs\s+thumbs\s+👍 up\s+Exactly right/.test(row)),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((row) => /^helpfulness\s+score\s+5\s+–/.test(row)),
      rows.join('\n'),
    );
    const stored = await seeded.api<{ data: { kind: string; value: number; comment: string | null }[] }>(
      'GET',
      `/api/feedback?trace_id=${trace.id}`,
    );
    assert.deepEqual(stored.data.map((entry) => [entry.kind, entry.value, entry.comment]).sort(), [
      ['score', 5, null],
      ['thumbs', 1, 'Exactly right'],
    ]);
    await page.reload();
    await table.locator('tbody tr').nth(1).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 2, 'still there after a reload');
    await screenshot(page, 'trace-feedback');
  });

  test('canary: live statistics per variant, the sequential test state, and an abort', async () => {
    const status = await seeded.api<{ counts: Record<string, { requests?: number; errors?: number }> }>(
      'GET',
      '/api/deployments/bot/canary',
    );
    await page.getByRole('link', { name: 'Models & deployments' }).click();
    const panel = page.getByRole('region', { name: 'Canary of bot' });
    await panel.waitFor();
    assert.match(await panel.locator('h4').innerText(), /running/);
    const stats = panel.getByRole('table', { name: 'Live statistics per variant' });
    let shown = 0;
    for (const variant of ['baseline', 'canary']) {
      const row = await stats.locator('tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${variant}`) }) }).innerText();
      const requests = status.counts[variant]?.requests ?? 0;
      assert.match(row, new RegExp(`50%\\s+${requests}\\s+0\\s+0\\.0%\\s+\\d+ ms / \\d+ ms`), row);
      shown += requests;
    }
    assert.equal(shown, seeded.canaryCalls);

    await panel.getByRole('button', { name: 'Evaluate now' }).click();
    const decision = panel.locator('p.canary-decision');
    await decision.waitFor();
    assert.match(await decision.innerText(), /continue/);
    const tests = panel.getByRole('table', { name: 'Sequential tests per variant and signal' });
    const errorRate = await tests.locator('tbody tr', { has: page.locator('td', { hasText: 'error_rate' }) }).innerText();
    assert.match(errorRate, new RegExp(`^canary\\s+error_rate\\s+0 / ${status.counts.baseline?.requests}[\\s\\S]*insufficient`));
    await screenshot(page, 'canary');

    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Abort canary (roll back)' }).click();
    await panel.locator('h4', { hasText: 'aborted' }).waitFor();
    assert.equal(await panel.getByRole('button', { name: 'Abort canary (roll back)' }).count(), 0);
    assert.match(await panel.getByRole('list', { name: 'Canary decisions' }).innerText(), /abort by /);
    assert.equal((await seeded.api<{ status: string }>('GET', '/api/deployments/bot/canary')).status, 'aborted');

    // A second canary, promoted by hand: its variant's version serves all traffic.
    const second = await seeded.api<{ variants: { name: string; version: number }[] }>('POST', '/api/deployments/bot/canary', {
      variants: [
        { name: 'baseline', percent: 80 },
        { name: 'next', percent: 20, spec: { model: 'large', parameters: { temperature: 0.3 } } },
      ],
    });
    const version = second.variants.find((variant) => variant.name === 'next')!.version;
    await page.reload();
    await panel.locator('h4', { hasText: 'running' }).waitFor();
    assert.match(await panel.locator('p.muted').first().innerText(), /α 0\.05 · 200 samples per variant and signal/);
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Promote next' }).click();
    await panel.locator('h4', { hasText: 'promoted' }).waitFor();
    await page
      .getByRole('article', { name: 'Deployment bot' })
      .locator('h3', { hasText: `serving v${version}` })
      .waitFor();
    assert.equal((await seeded.api<{ active_version: number }>('GET', '/api/deployments/bot')).active_version, version);
  });

  test('every new control is reachable by keyboard and labelled', async () => {
    await page.getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByRole('link', { name: 'qa' }).click();
    await page.getByRole('heading', { name: 'Dataset qa' }).waitFor();
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('main input, main select, main textarea')]
      .filter((element) => !element.labels?.length && !element.getAttribute('aria-label')).map((element) => element.outerHTML)`);
    assert.deepEqual(unlabelled, []);
    // Tab from the top of the page: every control of the page takes the focus in turn.
    await page.locator('main').focus();
    const reached = new Set<string>();
    for (let press = 0; press < 40; press++) {
      await page.keyboard.press('Tab');
      reached.add(
        await page.evaluate(
          `(() => { const e = document.activeElement; return (e.labels?.[0]?.textContent ?? e.textContent ?? '').trim(); })()`,
        ),
      );
    }
    for (const name of [
      'Version',
      'Keep the valid lines when some are rejected',
      'From version',
      'To version',
      'JSONL file',
      'Or paste the lines',
    ])
      assert.ok(reached.has(name), `${name} in ${[...reached].join(' | ')}`);
  });

  test('no page logged an error', () => {
    assert.deepEqual(errors, []);
  });
});
