/**
 * Starting experiment runs from the console, in real Chromium, against a Fener in front of the
 * mock provider: the New run form's definition is what the server stores (dataset version and
 * split, a model variant and a prompt variant with their parameters, metric options, a judge,
 * running settings, gates), the run page follows the run to its end and checks the definition's
 * gates, gates against a baseline run show each criterion as the API computes it, a running run is
 * stopped and resumed from its page, and refused definitions show the API's message with the form
 * as typed. What this file needs beyond the shared seed it makes itself, through the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openConsole, screenshot, type Browser } from './support/browser.js';
import { seedConsoleData, type SeededData } from './support/console-data-seed.js';

interface StoredRun {
  id: string;
  experiment: string;
  status: string;
  total_items: number | null;
  results: number;
  error: string | null;
  config: Record<string, unknown>;
  summary: { variants: { variant: string; scores: Record<string, { mean: number }> }[] } | null;
}

interface GateReport {
  passed: boolean;
  results: { gate: string; variant: string; passed: boolean; actual: number | null; threshold: number | null; message: string }[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const judgeSchema = { type: 'object', properties: { score: { const: 4 } }, required: ['score'] };
const rubric = 'Is this answer polite? {{output}}';
const smallVariant = { name: 'small-cold', model: 'small', parameters: { temperature: 0, max_tokens: 16 } };

describe('web console: starting experiment runs, following them and checking gates', () => {
  let seeded: SeededData;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let baselineId: string;
  let startedId: string;

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> => seeded.api<T>(method, path, body);
  const form = (): Locator => page.locator('form[aria-labelledby="new-run"]');
  const gatesForm = (): Locator => page.locator('form[aria-labelledby="gates-heading"]');
  const runIdFromUrl = (): string => decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
  /** The page's gate table as "gate | variant | result | actual | threshold | why" lines, in the API's order. */
  const gateRows = async (): Promise<string[]> =>
    (await gatesForm().getByRole('table', { name: 'Gate results' }).locator('tbody tr').allInnerTexts()).map((row) =>
      row.split('\t').join(' | '),
    );
  const apiGateRows = (report: GateReport): string[] =>
    report.results.map((result) =>
      [
        result.gate,
        result.variant,
        result.passed ? 'passed' : 'failed',
        result.actual === null ? '–' : String(Number(result.actual.toFixed(4))),
        result.threshold === null ? '–' : String(Number(result.threshold.toFixed(4))),
        result.message,
      ].join(' | '),
    );

  async function waitForRun(id: string): Promise<StoredRun> {
    for (let attempt = 0; attempt < 400; attempt++) {
      const run = await api<StoredRun>('GET', `/api/evals/runs/${id}`);
      if (run.status !== 'running') return run;
      await pause(50);
    }
    throw new Error(`run ${id} did not end`);
  }

  async function openNewRun(): Promise<void> {
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    await page.getByRole('link', { name: 'New run' }).click();
    await form().waitFor();
  }

  before(async () => {
    seeded = await seedConsoleData();
    // Version 1 has four items, three of them in the test split; version 2 adds a fifth.
    const item = (id: string, question: string, expected: string, split: string) => ({
      id,
      input: { messages: [{ role: 'user', content: question }] },
      expected,
      split,
    });
    const v1 = [
      item('f1', 'How do I reset my password?', 'Use the reset link.', 'test'),
      item('f2', 'Can I change my email?', 'Yes, in settings.', 'test'),
      item('f3', 'Do you offer refunds?', 'Within 14 days.', 'test'),
      item('f4', 'Where are you based?', 'In Lisbon.', 'train'),
    ];
    await api('POST', '/api/datasets', { name: 'faq' });
    await api('POST', '/api/datasets/faq/items', { items: v1 });
    await api('POST', '/api/datasets/faq/items', { items: [...v1, item('f5', 'Is there an app?', 'Yes.', 'test')] });
    const prompt = (content: string, labels: string[]) => ({
      name: 'answer',
      messages: [{ role: 'system', content }],
      variables: { tone: { type: 'string' } },
      parameters: { model: 'small' },
      labels,
    });
    await api('POST', '/api/prompts', prompt('Answer briefly.', ['production']));
    await api('POST', '/api/prompts', prompt('Answer briefly, in a {{tone}} tone.', ['staging']));
    const baseline = await api<{ id: string }>('POST', '/api/evals/runs', {
      name: 'faq-answers',
      dataset: { dataset: 'faq@1:test' },
      variants: [smallVariant],
      metrics: ['exact_match', 'token_f1'],
      seed: 7,
    });
    baselineId = baseline.id;
    assert.equal((await waitForRun(baselineId)).status, 'completed');
    ({ browser, page, errors } = await openConsole(seeded.server.url, seeded.server.adminKey));
  });
  after(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  test('a run started from the form is stored exactly as chosen, and its page follows it to the end and checks its gates', async () => {
    await openNewRun();
    await form().getByLabel('Experiment name').fill('faq-answers');
    await form().getByLabel('Dataset').selectOption('faq');
    await form().getByLabel('Version', { exact: true }).selectOption('1');
    await form().getByLabel('Split', { exact: true }).selectOption('test');
    const first = form().locator('fieldset', { hasText: 'Variant 1' });
    await first.getByLabel('Model', { exact: true }).fill('small');
    await first.getByLabel('Variant name').fill('small-cold');
    await first.getByLabel('Max tokens').fill('16');
    await form().getByRole('button', { name: 'Add a variant' }).click();
    const second = form().locator('fieldset', { hasText: 'Variant 2' });
    await second.getByLabel('Calls', { exact: true }).selectOption('prompt');
    await second.getByLabel('Prompt', { exact: true }).selectOption('answer');
    await second.getByLabel('Label or version').selectOption('staging');
    await second.getByLabel('Temperature').fill('0.3');
    await second.getByLabel('Top p').fill('0.9');
    await second.getByLabel(/^Prompt variables/).fill('{"tone": "formal"}');
    await form().getByRole('checkbox', { name: 'rouge' }).check();
    await form().getByLabel('rouge: rouge_types').fill('["rougeL"]');
    await form().getByLabel('rouge: use_stemmer').fill('true');
    await form().getByRole('checkbox', { name: 'token_f1' }).check();
    await form().getByRole('button', { name: 'Add a judge' }).click();
    const judge = form().locator('fieldset', { hasText: 'Judge 1' });
    await judge.getByLabel(/^Judge name/).fill('polite');
    await judge.getByLabel('Judge model').fill('large');
    await judge.getByLabel(/^Rubric/).fill(rubric);
    await judge.getByLabel('Verdict JSON Schema').fill(JSON.stringify(judgeSchema));
    await judge.getByLabel('Runs per item').fill('2');
    await form().getByLabel('Calls at once').fill('2');
    await form().getByLabel('Retries per call').fill('1');
    await form().getByLabel('Seed', { exact: true }).fill('7');
    await form()
      .getByLabel(/^Gates checked on its page/)
      .fill('exact_match>=0\njudge.polite>=4.5');
    await screenshot(page, 'experiment-new');
    await form().getByRole('button', { name: 'Start run' }).click();

    await page.getByRole('heading', { name: /^Run run_/ }).waitFor();
    startedId = runIdFromUrl();
    assert.notEqual(startedId, baselineId);
    // The page reads the run again while it runs: no reload to see it complete.
    await page.locator('dl.facts dd', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    await page.getByRole('table', { name: 'Results per item and variant' }).locator('tbody tr').nth(5).waitFor();
    assert.equal(await page.locator('dl.facts dd', { hasText: 'items ×' }).innerText(), '6 of 6 (3 items × 2 variants)');
    assert.equal(await page.locator('dl.facts dd', { hasText: 'faq@' }).innerText(), 'faq@1:test');

    const stored = await api<StoredRun>('GET', `/api/evals/runs/${startedId}`);
    assert.deepEqual([stored.experiment, stored.status, stored.total_items, stored.results], ['faq-answers', 'completed', 3, 6]);
    assert.deepEqual(stored.config, {
      name: 'faq-answers',
      dataset: { dataset: 'faq@1:test' },
      variants: [smallVariant, { prompt: 'answer@staging', parameters: { temperature: 0.3, top_p: 0.9 }, variables: { tone: 'formal' } }],
      metrics: [
        { metric: 'rouge', options: { rouge_types: ['rougeL'], use_stemmer: true } },
        { metric: 'exact_match', options: {} },
        { metric: 'token_f1', options: {} },
      ],
      judges: [
        { name: 'polite', model: 'large', rubric, schema: judgeSchema, score_field: 'score', repeats: 2, parameters: { temperature: 0 } },
      ],
      concurrency: 2,
      retries: 1,
      seed: 7,
      bootstrap: { iterations: 1000, confidence: 0.95 },
      gates: ['exact_match>=0', 'judge.polite>=4.5'],
    });
    const variants = stored.summary?.variants ?? [];
    assert.deepEqual(
      variants.map((variant) => variant.variant),
      ['small-cold', 'answer-staging'],
    );
    for (const variant of variants) {
      assert.equal(variant.scores['judge.polite']?.mean, 4, `the judge's verdict for ${variant.variant}`);
      assert.ok('rougeL_fmeasure' in variant.scores && !('rouge1_fmeasure' in variant.scores), 'rouge scored only rougeL, as chosen');
    }

    // The definition's gates are checked as soon as the completed run shows.
    await gatesForm().getByRole('status').waitFor();
    assert.equal(await gatesForm().getByRole('status').innerText(), '2 of 4 failed.');
    const expected = await api<GateReport>('POST', `/api/evals/runs/${startedId}/gates`, {
      gates: ['exact_match>=0', 'judge.polite>=4.5'],
    });
    assert.deepEqual(await gateRows(), apiGateRows(expected));
    assert.deepEqual(
      expected.results.map((result) => `${result.gate} ${result.variant} ${result.passed}`),
      [
        'exact_match>=0 small-cold true',
        'exact_match>=0 answer-staging true',
        'judge.polite>=4.5 small-cold false',
        'judge.polite>=4.5 answer-staging false',
      ],
    );
  });

  test('gates against a baseline run show each criterion with the threshold the baseline gives', async () => {
    const gates = ['token_f1@small-cold>=baseline-1', 'token_f1@small-cold>baseline+1'];
    await gatesForm()
      .getByLabel(/^Gates, one per line/)
      .fill(gates.join('\n'));
    await gatesForm().getByLabel('Baseline run').selectOption(baselineId);
    await gatesForm().getByRole('button', { name: 'Check' }).click();
    await gatesForm().getByRole('status').filter({ hasText: '1 of 2 failed.' }).waitFor();
    const expected = await api<GateReport>('POST', `/api/evals/runs/${startedId}/gates`, { gates, baseline: baselineId });
    assert.deepEqual(await gateRows(), apiGateRows(expected));
    const baseline = await api<StoredRun>('GET', `/api/evals/runs/${baselineId}`);
    const baselineF1 = baseline.summary?.variants[0]?.scores.token_f1?.mean ?? NaN;
    assert.deepEqual(
      expected.results.map((result) => [result.passed, result.threshold]),
      [
        [true, baselineF1 - 1],
        [false, baselineF1 + 1],
      ],
    );

    // The compare page checks the candidate's gates with the compared baseline as their baseline.
    await page.goto(`${seeded.server.url}/experiments/compare?baseline=${baselineId}&candidate=${startedId}`);
    // The one-variant baseline is compared with the candidate's variant of the same name.
    await page.getByText(`${baselineId}:small-cold → ${startedId}:small-cold over 3 paired items.`).waitFor();
    await gatesForm().getByRole('status').waitFor();
    assert.equal(await gatesForm().getByLabel('Baseline run').inputValue(), baselineId);
    assert.equal(await gatesForm().getByRole('status').innerText(), '2 of 4 failed.');
    await screenshot(page, 'experiment-gates');
  });

  test('a running run shows its progress, stops from its page and resumes to the end', async () => {
    seeded.mock.configure({ latencyMs: 250 });
    try {
      await openNewRun();
      await form().getByLabel('Experiment name').fill('slow-run');
      await form().getByLabel('Dataset').selectOption('many');
      await form().getByLabel('Model', { exact: true }).fill('small');
      await form().getByLabel('Calls at once').fill('1');
      await form().getByRole('button', { name: 'Start run' }).click();
      await page.getByRole('heading', { name: /^Run run_/ }).waitFor();
      const id = runIdFromUrl();
      const progress = page.getByRole('progressbar', { name: 'Progress' });
      await page.locator('progress[max="30"]').waitFor();
      await page.waitForFunction(`Number(document.querySelector('#run-progress')?.getAttribute('value')) > 0`);
      await page.getByRole('button', { name: 'Stop the run' }).click();
      await page.locator('dl.facts dd', { hasText: 'cancelled' }).waitFor();
      const stopped = await api<StoredRun>('GET', `/api/evals/runs/${id}`);
      assert.equal(stopped.status, 'cancelled');
      assert.ok(stopped.results > 0 && stopped.results < 30, `stopped part way: ${stopped.results} of 30`);
      assert.equal(await progress.getAttribute('value'), String(stopped.results));

      seeded.mock.configure({ latencyMs: 0 });
      await page.getByRole('button', { name: 'Resume the run' }).click();
      await page.locator('dl.facts dd', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
      const resumed = await api<StoredRun>('GET', `/api/evals/runs/${id}`);
      assert.deepEqual([resumed.status, resumed.total_items, resumed.results], ['completed', 30, 30]);
      assert.equal(await progress.count(), 0, 'a completed run shows its aggregates, not a progress bar');
    } finally {
      seeded.mock.configure({ latencyMs: 0 });
    }
  });

  test('refused definitions show the API’s message, the form keeps what was typed, and no run starts', async () => {
    await openNewRun();
    await form().getByLabel('Experiment name').fill('faq-ghost');
    const model = form().getByLabel('Model', { exact: true });
    await model.fill('ghost-model');
    await form().getByRole('button', { name: 'Start run' }).click();
    const refused = form().getByRole('alert');
    await refused.waitFor();
    // The first line is the API's code and message (a request id may follow).
    const firstLine = async (): Promise<string> => (await refused.innerText()).split('\n')[0] ?? '';
    assert.equal(
      await firstLine(),
      'invalid_request: variants.0.model: The model `ghost-model` does not exist or you do not have access to it.',
    );
    assert.deepEqual([await form().getByLabel('Experiment name').inputValue(), await model.inputValue()], ['faq-ghost', 'ghost-model']);

    await model.fill('small');
    await form().getByRole('checkbox', { name: 'rouge' }).check();
    await form().getByLabel('rouge: rouge_types').fill('rouge0');
    await form().getByRole('button', { name: 'Start run' }).click();
    await refused.filter({ hasText: 'rouge_types' }).waitFor();
    assert.match(await firstLine(), /^invalid_request: options\.rouge_types has an invalid rouge type 'rouge0'/);
    assert.equal(await form().getByLabel('rouge: rouge_types').inputValue(), 'rouge0');

    const runs = await api<{ data: { experiment: string }[] }>('GET', '/api/evals/runs?limit=200');
    assert.deepEqual(
      runs.data.filter((run) => run.experiment === 'faq-ghost'),
      [],
    );
    assert.deepEqual(errors, []);
  });
});
