import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canaryVariantStats } from './canary.js';
import { FenerClient } from './client.js';

test('canary statistics per variant come from the shared counters (latency from the 1.2× bucket grid)', () => {
  const stats = canaryVariantStats({
    variants: [
      { name: 'baseline', percent: 90, version: 1 },
      { name: 'canary', percent: 10, version: 2 },
      { name: 'idle', percent: 0, version: 3 },
    ],
    // baseline: 10 calls, 1 failed; 9 latencies: 5 in bucket 20, 3 in bucket 25, 1 in bucket 30.
    counts: {
      baseline: { requests: 10, errors: 1, 'latency:20': 5, 'latency:25': 3, 'latency:30': 1 },
      canary: { requests: 4, errors: 0, 'latency:10': 4, 'score:feedback:n': 2 },
    },
  });
  assert.deepEqual(
    stats.map((entry) => [entry.variant, entry.requests, entry.errors, entry.error_rate]),
    [
      ['baseline', 10, 1, 0.1],
      ['canary', 4, 0, 0],
      ['idle', 0, 0, 0],
    ],
  );
  const [baseline, canary, idle] = stats;
  assert.equal(baseline!.latency_p50_ms, 1.2 ** 21, 'the 5th of 9 is in bucket 20: its upper bound');
  assert.equal(baseline!.latency_p95_ms, 1.2 ** 31, 'the 9th of 9 is in bucket 30');
  assert.equal(canary!.latency_p95_ms, 1.2 ** 11);
  assert.equal(idle!.latency_p50_ms, null);
});

test('the area clients call the API paths with the right methods and bodies, uploads as raw text', async () => {
  const calls: { method: string; url: string; type: string | null; body: string | undefined }[] = [];
  const client = new FenerClient({
    baseUrl: 'http://fener.test',
    apiKey: 'sk-test',
    fetch: (url, init) => {
      const headers = new Headers(init?.headers);
      calls.push({ method: init?.method ?? 'GET', url, type: headers.get('content-type'), body: init?.body as string | undefined });
      return Promise.resolve(new Response('{}', { status: 200 }));
    },
  });
  await client.datasets.importText('qa set', '{"id":"a"}\n', { append: true, filename: 'a.jsonl' });
  await client.datasets.items('qa', 'latest', { after: 25, limit: 25 });
  await client.datasets.diff('qa', { from: 1, to: 2, kind: 'added' });
  await client.datasets.exportText('qa', 2, { format: 'csv', split: 'test' });
  await client.datasets.split('qa', { version: 2, seed: 'fixed', train: 0.8, validation: 0.1, test: 0.1 });
  await client.evals.compare({ baseline: { run: 'run_a' }, candidate: { run: 'run_b' }, metric: 'exact_match' });
  await client.evals.checkGates('run_b', { gates: ['exact_match>=baseline'], baseline: 'run_a' });
  await client.evals.start({
    name: 'qa',
    dataset: { dataset: 'qa@2:test' },
    variants: [{ model: 'small', parameters: { temperature: 0 } }],
  });
  await client.evals.cancel('run a');
  await client.evals.resume('run_b');
  await client.feedback.create('trc_1', { kind: 'thumbs', value: 'up', comment: 'good' });
  await client.queues.submit('review', 'ani_1', { reviewer: 'ann', kind: 'score', value: 4 });
  await client.queues.next('review', 'ann b');
  await client.feedback.defineScore('tone of voice', { kind: 'categorical', categories: ['warm', 'cold'] });
  await client.feedback.deleteScore('tone of voice', { project: 'support' });
  await client.queues.create({ name: 'review', reviewers: ['ann'], score_name: 'tone' });
  await client.queues.addItems('review', { trace_filter: { status: 'error' }, limit: 5 });
  await client.queues.addItems('audit', { reviewers: ['ann', 'ben'], trace_ids: ['trc_1'] });
  await client.queues.list({ project: 'support' });
  await client.canary.promote('bot', 'canary');
  await client.canary.abort('bot');
  assert.deepEqual(
    calls.map((call) => [call.method, call.url.replace('http://fener.test', ''), call.type, call.body]),
    [
      ['POST', '/api/datasets/qa%20set/import?filename=a.jsonl&append=true', 'application/x-ndjson', '{"id":"a"}\n'],
      ['GET', '/api/datasets/qa/versions/latest/items?after=25&limit=25', null, undefined],
      ['GET', '/api/datasets/qa/diff?from=1&to=2&kind=added', null, undefined],
      ['GET', '/api/datasets/qa/versions/2/export?format=csv&split=test', null, undefined],
      ['POST', '/api/datasets/qa/split', 'application/json', '{"version":2,"seed":"fixed","train":0.8,"validation":0.1,"test":0.1}'],
      ['POST', '/api/evals/compare', 'application/json', '{"baseline":{"run":"run_a"},"candidate":{"run":"run_b"},"metric":"exact_match"}'],
      ['POST', '/api/evals/runs/run_b/gates', 'application/json', '{"gates":["exact_match>=baseline"],"baseline":"run_a"}'],
      [
        'POST',
        '/api/evals/runs',
        'application/json',
        '{"name":"qa","dataset":{"dataset":"qa@2:test"},"variants":[{"model":"small","parameters":{"temperature":0}}]}',
      ],
      ['POST', '/api/evals/runs/run%20a/cancel', null, undefined],
      ['POST', '/api/evals/runs/run_b/resume', null, undefined],
      ['POST', '/api/feedback', 'application/json', '{"trace_id":"trc_1","kind":"thumbs","value":"up","comment":"good"}'],
      ['POST', '/api/queues/review/items/ani_1/submit', 'application/json', '{"reviewer":"ann","kind":"score","value":4}'],
      ['GET', '/api/queues/review/next?reviewer=ann+b', null, undefined],
      ['PUT', '/api/score-definitions/tone%20of%20voice', 'application/json', '{"kind":"categorical","categories":["warm","cold"]}'],
      ['DELETE', '/api/score-definitions/tone%20of%20voice?project=support', null, undefined],
      ['POST', '/api/queues', 'application/json', '{"name":"review","reviewers":["ann"],"score_name":"tone"}'],
      ['POST', '/api/queues/review/items', 'application/json', '{"trace_filter":{"status":"error"},"limit":5}'],
      ['POST', '/api/queues/audit/items', 'application/json', '{"reviewers":["ann","ben"],"trace_ids":["trc_1"]}'],
      ['GET', '/api/queues?project=support', null, undefined],
      ['POST', '/api/deployments/bot/canary/promote', 'application/json', '{"variant":"canary"}'],
      ['POST', '/api/deployments/bot/canary/abort', null, undefined],
    ],
  );
});
