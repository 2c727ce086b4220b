/**
 * Issue #7, experiments end to end: two versions of a managed prompt compared on the mock
 * provider through the real gateway (traced, priced), a judge with repeats, a paired comparison,
 * a run stopped half-way and resumed without redoing finished items, and `fener eval run` in CI
 * mode passing on the good version and failing (exit 1, JUnit failure) on an injected regression.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  compareRuns,
  GatewayEvalClient,
  InlineItemSource,
  judgeAgreement,
  OnlineEvaluation,
  parseExperiment,
  runExperiment,
  type EvalClient,
  type ExperimentInput,
  type ProgressSink,
} from '../src/evals/index.js';
import type { Principal } from '../src/identity/index.js';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { runCli } from './support/cli.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

const price = { input_per_mtok: 1, output_per_mtok: 2 };
const answerSchema = { type: 'object', properties: { answer: { const: 'yes' } }, required: ['answer'] };
/** v1 answers in the JSON the items expect; v2 "forgot" the response format — the regression. */
const promptVersion = (withFormat: boolean): Record<string, unknown> => ({
  name: 'answer',
  messages: [{ role: 'user', content: 'Answer {{question}} as JSON.' }],
  variables: { question: { type: 'string' } },
  parameters: {
    model: 'small',
    max_tokens: 20,
    ...(withFormat ? { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: answerSchema } } } : {}),
  },
});
const items = (count: number): unknown[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `q${index}`,
    input: { variables: { question: `question ${index}` } },
    expected: '{"answer":"yes"}',
  }));

const judge = {
  name: 'correct',
  model: 'small',
  rubric: 'Question: {{input}}\nAnswer: {{output}}\nReference: {{expected}}\nScore 1-5.',
  schema: { type: 'object', properties: { score: { enum: [1, 2, 3, 4, 5] } }, required: ['score'] },
  repeats: 3,
};

describe('experiments end to end', () => {
  let mock: MockProvider;
  let server: TestServer;
  let principal: Principal;
  let workDir: string;

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 11, outputTokens: 8 });
    server = await startTestServer({
      providers: [{ id: 'mock', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
      models: [{ name: 'small', provider: 'mock', upstream_model: 'gpt-4o-mini', price, licence: 'apache-2.0' }],
    });
    principal = await server.context.authenticator.authenticate(`Bearer ${server.adminKey}`);
    for (const withFormat of [true, false]) {
      const response = await fetch(`${server.url}/api/prompts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(promptVersion(withFormat)),
      });
      assert.equal(response.status, 200, await response.text());
    }
    workDir = mkdtempSync(join(tmpdir(), 'fener-evals-e2e-'));
  });

  after(async () => {
    await server.stop();
    await mock.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const experiment = (input: Partial<ExperimentInput>): ReturnType<typeof parseExperiment> =>
    parseExperiment({ name: 'answer-prompt', dataset: { items: items(12) }, variants: [{ model: 'small' }], ...input });

  test('two prompt versions through the gateway: scores, judge repeats, cost, traces and a paired comparison', async () => {
    const client = new GatewayEvalClient(server.context.runtime.gateway, principal);
    const definition = experiment({
      variants: [
        { name: 'v1', prompt: 'answer@1' },
        { name: 'v2', prompt: 'answer@2' },
      ],
      metrics: ['exact_match', 'json_valid'],
      judges: [judge],
      seed: 5,
    });
    const { run, summary } = await runExperiment({
      store: server.context.store,
      client,
      definition,
      source: (resolved) => new InlineItemSource((resolved.dataset as { items: unknown[] }).items),
      actor: principal.id,
    });
    assert.equal(run.status, 'completed');
    const [v1, v2] = summary.variants;
    assert.equal(v1!.items, 12);
    assert.equal(v1!.errors, 0);
    assert.equal(v1!.scores.exact_match!.mean, 1);
    assert.equal(v2!.scores.exact_match!.mean, 0);
    assert.equal(v1!.scores.json_valid!.mean, 1);
    assert.ok(v1!.cost_usd! > 0, 'priced by the serving model');
    const judged = v1!.scores['judge.correct']!;
    assert.ok(judged.mean >= 1 && judged.mean <= 5 && judged.n === 12);
    assert.ok(v1!.scores['judge.correct.variance']!.mean > 0, 'repeats with their own seeds disagree sometimes');

    const comparison = await compareRuns(server.context.store, {
      baseline: { run: run.id, variant: 'v1' },
      candidate: { run: run.id, variant: 'v2' },
      metric: 'exact_match',
    });
    assert.equal(comparison.paired_items, 12);
    assert.equal(comparison.metrics.exact_match!.meanDifference, -1);
    assert.equal(comparison.metrics.exact_match!.losses, 12);
    assert.ok(comparison.metrics.exact_match!.pValue < 0.05);
    assert.deepEqual(comparison.items[0], { item_id: 'q0', baseline: 1, candidate: 0, difference: -1 });

    const agreement = await judgeAgreement(server.context.store, {
      run: run.id,
      judge: 'correct',
      labels: Array.from({ length: 12 }, (_, index) => ({ item_id: `q${index}`, variant: 'v1', label: 5 - (index % 2) })),
    });
    assert.equal(agreement.n, 12);
    assert.ok(agreement.mean_repeat_variance !== null && agreement.mean_repeat_variance > 0);

    await flushTraces(server);
    const results = await server.context.store.evals.listResults(run.id, { variant: 'v1', limit: 1 });
    const trace = await server.context.store.traces.get(results[0]!.traceId!);
    assert.deepEqual(trace?.metadata?.fener_eval, { run: run.id, variant: 'v1', item: 'q0' });
    assert.deepEqual((trace?.metadata?.fener as { prompt: { version: number } }).prompt.version, 1);
    assert.equal(results[0]!.output, '{"answer":"yes"}');
  });

  test('a run stopped half-way resumes without redoing finished items', async () => {
    const gateway = new GatewayEvalClient(server.context.runtime.gateway, principal);
    let calls = 0;
    const counting: EvalClient = { complete: (request) => ((calls += 1), gateway.complete(request)) };
    const definition = experiment({ dataset: { items: items(30) }, concurrency: 3, metrics: ['exact_match'] });
    const source = (resolved: typeof definition): InlineItemSource =>
      new InlineItemSource((resolved.dataset as { items: unknown[] }).items);
    const controller = new AbortController();
    let runId = '';
    const stopAtTen: ProgressSink = { update: (state) => (state.done >= 10 ? controller.abort() : undefined), finish: () => undefined };
    await assert.rejects(
      runExperiment({
        store: server.context.store,
        client: counting,
        definition,
        source,
        actor: 'test',
        progress: stopAtTen,
        signal: controller.signal,
        onStart: (run) => (runId = run.id),
      }),
      /stopped/,
    );
    // Simulated crash: a new runner on the same store, with the run's id.
    const stored = await server.context.store.evals.countResults(runId);
    assert.ok(stored >= 10 && stored < 30, `stored ${stored}`);
    assert.equal((await server.context.store.evals.requireRun(runId)).status, 'cancelled');
    calls = 0;
    const resumed = await runExperiment({ store: server.context.store, client: counting, source, actor: 'test', resume: runId });
    assert.equal(calls, 30 - stored, 'only the unfinished items were called');
    assert.equal(resumed.run.status, 'completed');
    assert.equal(resumed.summary.variants[0]!.items, 30);
    await assert.rejects(
      runExperiment({ store: server.context.store, client: counting, source, actor: 'test', resume: runId }),
      /already completed/,
    );
  });

  test('fener eval run: the gate passes on the good version and fails (exit 1, JUnit failure) on the regression', async () => {
    const fenerConfig = join(workDir, 'fener.yaml');
    writeFileSync(
      fenerConfig,
      JSON.stringify({
        data_dir: server.dataDir,
        log_level: 'warn',
        providers: [{ id: 'mock', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
        models: [{ name: 'small', provider: 'mock', upstream_model: 'gpt-4o-mini', price }],
      }),
    );
    writeFileSync(
      join(workDir, 'items.jsonl'),
      `${items(10)
        .map((item) => JSON.stringify(item))
        .join('\n')}\n`,
    );
    const evalFile = (variant: Record<string, unknown>): string => {
      const path = join(workDir, `eval-${String(variant.name)}.yaml`);
      writeFileSync(
        path,
        [
          'name: answer-prompt',
          'dataset:',
          '  file: items.jsonl',
          'variants:',
          `  - ${JSON.stringify(variant)}`,
          'metrics: [exact_match]',
          'seed: 1',
          '',
        ].join('\n'),
      );
      return path;
    };
    const good = await runCli([
      '-c',
      fenerConfig,
      'eval',
      'run',
      '--config',
      evalFile({ name: 'candidate', prompt: 'answer@1' }),
      '--gate',
      'exact_match>=0.9',
      '--json',
      '--quiet',
    ]);
    assert.equal(good.code, 0, good.stderr);
    const goodReport = JSON.parse(good.stdout) as { summary: { run_id: string }; gates: { passed: boolean }[] };
    assert.deepEqual(
      goodReport.gates.map((gate) => gate.passed),
      [true],
    );

    const out = join(workDir, 'out');
    const bad = await runCli([
      '-c',
      fenerConfig,
      'eval',
      'run',
      '--config',
      evalFile({ name: 'candidate', prompt: 'answer@2' }),
      '--baseline',
      goodReport.summary.run_id,
      '--gate',
      'exact_match>=baseline-0.02',
      '--gate',
      'error_rate<=0.01',
      '--out',
      out,
      '--quiet',
    ]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /1 of 2 gate checks failed/);
    assert.match(bad.stderr, /exact_match = 0 fails >= 0\.98/);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    assert.match(junit, /tests="2" failures="1"/);
    assert.match(junit, /<failure message="exact_match = 0 fails &gt;= 0\.98"/);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\*\*FAIL\*\*/);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      comparison: { metrics: { exact_match: { meanDifference: number } } };
    };
    assert.equal(json.comparison.metrics.exact_match.meanDifference, -1);

    const usage = await runCli([
      '-c',
      fenerConfig,
      'eval',
      'run',
      '--config',
      evalFile({ name: 'candidate', prompt: 'answer@1' }),
      '--gate',
      'exact_match>>1',
    ]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /gate "exact_match>>1"/);
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  test('/api/evals: a run in the background, its results, gates, model selection with licences, and bad input', async () => {
    const started = await api<{ id: string; status: string }>('POST', '/api/evals/runs', {
      name: 'api-run',
      dataset: { items: items(6) },
      variants: [
        { name: 'json', prompt: 'answer@1' },
        { name: 'plain', prompt: 'answer@2' },
      ],
      metrics: ['exact_match'],
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    let run = started.body;
    for (let attempt = 0; attempt < 100 && run.status === 'running'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = (await adminGet<typeof run>(server, `/api/evals/runs/${run.id}`)).body;
    }
    assert.equal(run.status, 'completed');
    const page = await adminGet<{ data: { variant: string; item_id: string }[]; next_after: number | null }>(
      server,
      `/api/evals/runs/${run.id}/results?limit=3`,
    );
    assert.deepEqual(
      page.body.data.map((result) => `${result.item_id}/${result.variant}`),
      ['q0/json', 'q0/plain', 'q1/json', 'q1/plain'],
    );
    assert.equal(page.body.next_after, 1);
    const gates = await api<{ passed: boolean; results: { variant: string; passed: boolean }[] }>(
      'POST',
      `/api/evals/runs/${run.id}/gates`,
      { gates: ['exact_match>=0.5'] },
    );
    assert.deepEqual(
      [gates.body.passed, gates.body.results.map((result) => [result.variant, result.passed])],
      [
        false,
        [
          ['json', true],
          ['plain', false],
        ],
      ],
    );
    const selection = await api<{
      recommendation: string | null;
      pareto: string[];
      rows: { variant: string; eligible: boolean; reasons: string[] }[];
    }>('POST', `/api/evals/runs/${run.id}/select`, { quality: 'exact_match', min_quality: 0.5, licences: ['mit'] });
    assert.equal(selection.status, 200, JSON.stringify(selection.body));
    // prompt: variants carry no single licence, so a licence constraint refuses them.
    assert.equal(selection.body.recommendation, null);
    assert.deepEqual(selection.body.rows[0]!.reasons, ['licence unknown']);
    const open = await api<{ recommendation: string | null }>('POST', `/api/evals/runs/${run.id}/select`, {
      quality: 'exact_match',
      min_quality: 0.5,
    });
    assert.equal(open.body.recommendation, 'json');
    const compared = await api<{ metrics: { exact_match: { meanDifference: number } } }>('POST', '/api/evals/compare', {
      baseline: { run: run.id, variant: 'json' },
      candidate: { run: run.id, variant: 'plain' },
    });
    assert.equal(compared.body.metrics.exact_match.meanDifference, -1);

    const bad = await api<{ error: { code: string; message: string } }>('POST', '/api/evals/runs', {
      name: 'x',
      dataset: { items: items(1) },
      variants: [{}],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /variants\.0: give exactly one of model or prompt/);
    const unknownMetric = await api<{ error: { message: string } }>('POST', '/api/evals/runs', {
      name: 'x',
      dataset: { items: items(1) },
      variants: [{ model: 'small' }],
      metrics: ['nope'],
    });
    assert.equal(unknownMetric.status, 400);
    assert.match(unknownMetric.body.error.message, /unknown metric/);
    const badGate = await api<{ error: { message: string } }>('POST', `/api/evals/runs/${run.id}/gates`, { gates: ['exact_match>>1'] });
    assert.equal(badGate.status, 400);
    assert.equal((await adminGet(server, '/api/evals/runs/run_missing')).status, 404);
    const openapi = await adminGet<{ paths: Record<string, unknown> }>(server, '/api/openapi.json');
    assert.ok('/api/evals/runs/{id}/results' in openapi.body.paths && '/api/evals/online/scores' in openapi.body.paths);
  });

  test('online evaluation scores a sample of live traces (never the evaluations’ own calls) and serves them by trace id', async () => {
    const put = await api<{ name: string }>('PUT', '/api/evals/online/evaluators/json-ok', {
      sample_rate: 1,
      metric: 'json_valid',
      models: ['small'],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const key = await server.createKey('online');
    const traceIds: string[] = [];
    for (const format of [{ type: 'json_object' }, undefined]) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'small',
          messages: [{ role: 'user', content: 'hi' }],
          ...(format ? { response_format: format } : {}),
        }),
      });
      assert.equal(response.status, 200);
      traceIds.push(response.headers.get('x-fener-trace-id')!);
    }
    await flushTraces(server);
    const online = new OnlineEvaluation({
      store: server.context.store,
      client: new GatewayEvalClient(server.context.runtime.gateway, principal),
      logger: server.context.logger,
      settleMs: 0,
    });
    // A second process (another worker or replica) ticking at the same moment: each trace is scored once.
    const rival = new OnlineEvaluation({
      store: server.context.store,
      client: new GatewayEvalClient(server.context.runtime.gateway, principal),
      logger: server.context.logger,
      settleMs: 0,
    });
    const both = await Promise.all([online.tick(Date.now() + 1), rival.tick(Date.now() + 1)]);
    assert.deepEqual([...both].sort(), [0, 2], 'both live calls, scored by one of the two');
    assert.equal(await online.tick(Date.now() + 1), 0, 'the cursor moved past them');
    const scores = await adminGet<{ data: { trace_id: string; score: number }[] }>(server, `/api/evals/online/scores?evaluator=json-ok`);
    assert.deepEqual(
      scores.body.data.map((score) => [score.trace_id, score.score]).sort(),
      [
        [traceIds[0], 1],
        [traceIds[1], 0],
      ].sort(),
    );
    const listed = await adminGet<{ data: { name: string; scored: number; mean: number }[] }>(server, '/api/evals/online/evaluators');
    assert.deepEqual(
      listed.body.data.map((entry) => [entry.name, entry.scored, entry.mean]),
      [['json-ok', 2, 0.5]],
    );
    const refused = await api<{ error: { message: string } }>('PUT', '/api/evals/online/evaluators/bad', {
      sample_rate: 2,
      metric: 'json_valid',
    });
    assert.equal(refused.status, 400);
    assert.equal((await api('DELETE', '/api/evals/online/evaluators/json-ok')).status, 200);
  });
});
