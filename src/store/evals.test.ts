/** Evaluation runs, results and online scores: one conformance suite on SQLite and on the real Postgres. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { traceRow } from '../../test/support/trace-rows.js';
import { storeBackends } from '../../test/support/store-backends.js';
import type { EvalResult } from './evals.js';
import { resultKey, type Store, type TraceRow } from './index.js';

function result(runId: string, variant: string, index: number, score: number, costUsd: number | null = 0.001): EvalResult {
  return {
    runId,
    variant,
    itemId: `item-${index}`,
    itemIndex: index,
    status: 'ok',
    output: `output ${index}`,
    scores: { exact_match: score },
    latencyMs: 10 + index,
    inputTokens: 5,
    outputTokens: 7,
    costUsd,
    traceId: `trc_${index}`,
    error: null,
    createdAt: 1_700_000_000_000 + index,
  };
}

function trace(id: string, createdAt: number, metadata: string | null): TraceRow {
  return traceRow({
    id,
    created_at: createdAt,
    trace_id: id,
    request_id: `req_${id}`,
    project_id: 'admin',
    key_id: null,
    provider: 'mock',
    upstream_model: 'small',
    metadata,
    request_body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    response_body: JSON.stringify({ message: { role: 'assistant', content: '{"a":1}' } }),
    latency_ms: 12,
    input_tokens: 1,
    output_tokens: 1,
    cost_usd: 0,
  });
}

for (const backend of storeBackends('evals')) {
  describe(`eval store on ${backend.name}`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    test('runs are created, updated and listed by experiment, newest first', async () => {
      const first = await store.evals.createRun({ id: 'run_a', experiment: 'qa', config: { name: 'qa' }, seed: 3, actor: 'key_x' });
      assert.equal(first.status, 'running');
      await store.evals.createRun({ id: 'run_b', experiment: 'other', config: { name: 'other' }, seed: 0, actor: 'key_x' });
      await store.evals.updateRun('run_a', { status: 'completed', totalItems: 4, summary: { ok: true }, finished: true });
      const run = await store.evals.requireRun('run_a');
      assert.equal(run.status, 'completed');
      assert.equal(run.totalItems, 4);
      assert.deepEqual(run.summary, { ok: true });
      assert.equal(run.seed, 3);
      assert.ok(run.finishedAt !== null);
      assert.deepEqual(
        (await store.evals.listRuns({ experiment: 'qa' })).map((item) => item.id),
        ['run_a'],
      );
      assert.deepEqual(
        (await store.evals.listExperiments()).map((item) => [item.experiment, item.runs]),
        [
          ['other', 1],
          ['qa', 1],
        ],
      );
      await assert.rejects(store.evals.requireRun('run_missing'), /no evaluation run/);
    });

    test('results are idempotent per (run, variant, item), page in item order, and tell resume what is finished', async () => {
      await store.evals.createRun({ id: 'run_r', experiment: 'qa', config: {}, seed: 0, actor: 'key_x' });
      const batch = Array.from({ length: 7 }, (_, index) => [result('run_r', 'a', index, 1), result('run_r', 'b', index, 0, null)]).flat();
      await store.evals.saveResults(batch);
      // Written again (a resumed run racing a late flush): nothing changes.
      await store.evals.saveResults([{ ...result('run_r', 'a', 0, 0.5), output: 'other' }]);
      assert.equal(await store.evals.countResults('run_r'), 14);
      const keys = await store.evals.finishedKeys('run_r');
      assert.equal(keys.size, 14);
      assert.ok(keys.has(resultKey('b', 'item-6')));
      const firstPage = await store.evals.listResults('run_r', { limit: 4 });
      assert.deepEqual(
        firstPage.map((item) => `${item.variant}${item.itemIndex}`),
        ['a0', 'b0', 'a1', 'b1'],
      );
      assert.equal(firstPage[0]!.output, 'output 0');
      assert.deepEqual(firstPage[0]!.scores, { exact_match: 1 });
      assert.equal(firstPage[1]!.costUsd, null);
      const onlyB = await store.evals.listResults('run_r', { variant: 'b', afterIndex: 4, withOutput: false });
      assert.deepEqual(
        onlyB.map((item) => item.itemIndex),
        [5, 6],
      );
      assert.equal(onlyB[0]!.output, null);
    });

    test('online evaluators keep a cursor; scores and cursor move together; evaluation traffic is not sampled', async () => {
      const evaluator = await store.evals.saveEvaluator({ name: 'json', definition: { sample_rate: 1 }, sampleRate: 1, enabled: true });
      assert.equal(evaluator.enabled, true);
      const start = evaluator.cursor.at;
      await store.traces.insertMany([
        trace('trc_1', start + 1, null),
        trace('trc_2', start + 2, JSON.stringify({ fener_eval: { run: 'run_r' } })),
        trace('trc_3', start + 3, JSON.stringify({ team: 'a' })),
        trace('trc_4', start + 10_000, null),
      ]);
      const settled = await store.evals.tracesAfter(evaluator.cursor, { before: start + 5000, limit: 10 });
      assert.deepEqual(
        settled.map((item) => item.id),
        ['trc_1', 'trc_3'],
      );
      assert.deepEqual(settled[0]!.responseBody, { message: { role: 'assistant', content: '{"a":1}' } });
      await store.evals.saveOnlineScores('json', [{ traceId: 'trc_1', evaluator: 'json', score: 1, details: null, createdAt: start }], {
        at: start + 3,
        id: 'trc_3',
      });
      const moved = await store.evals.getEvaluator('json');
      assert.deepEqual(moved!.cursor, { at: start + 3, id: 'trc_3' });
      assert.deepEqual(await store.evals.tracesAfter(moved!.cursor, { before: start + 5000, limit: 10 }), []);
      assert.deepEqual(
        (await store.evals.listOnlineScores({ traceId: 'trc_1' })).map((score) => [score.evaluator, score.score]),
        [['json', 1]],
      );
      assert.deepEqual(await store.evals.onlineSummary(), [{ evaluator: 'json', count: 1, mean: 1 }]);
      // Saving the definition again keeps the cursor.
      await store.evals.saveEvaluator({ name: 'json', definition: { sample_rate: 0.5 }, sampleRate: 0.5, enabled: false });
      const updated = await store.evals.getEvaluator('json');
      assert.equal(updated!.sampleRate, 0.5);
      assert.deepEqual(updated!.cursor, { at: start + 3, id: 'trc_3' });
      assert.equal(await store.evals.deleteEvaluator('json'), true);
      assert.equal(await store.evals.deleteEvaluator('json'), false);
    });
  });
}
