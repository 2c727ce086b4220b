/**
 * Issue #6 item 6, human feedback end to end: chat calls through the gateway on the mock
 * provider, feedback on their traces with project keys (kept within their project), score
 * definitions that feedback is validated against, annotation queues with two reviewers and their
 * agreement, and feedback becoming a new dataset version exported as preference pairs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { flushTraces, startTestServer, type TestServer } from './support/fener.js';

interface Feedback {
  id: string;
  trace_id: string | null;
  kind: string;
  name: string;
  value: number | null;
  label: string | null;
  correction: string | null;
  author: string | null;
  principal: string;
  preference: {
    chosen: { trace_id: string | null; text: string | null };
    rejected: { trace_id: string | null; text: string | null };
  } | null;
}
interface ApiError {
  error: { code: string; message: string; param?: string };
}

describe('human feedback end to end', () => {
  let mock: MockProvider;
  let server: TestServer;
  let keyA: string;
  let keyB: string;
  const traces: string[] = [];
  let traceOfB: string;

  async function api<T>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key ?? server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text) as T,
    };
  }

  async function chat(key: string, question: string): Promise<string> {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'small', messages: [{ role: 'user', content: question }], max_tokens: 8 })
      .withResponse();
    return response.headers.get('x-fener-trace-id')!;
  }

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 11, outputTokens: 6 });
    server = await startTestServer({
      providers: [{ id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
      models: [
        { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
      ],
    });
    keyA = await server.createKey('app-a');
    assert.equal((await api('POST', '/api/projects', { name: 'team-b' })).status, 201);
    const created = await api<{ key: string }>('POST', '/api/keys', { name: 'app-b', project: 'team-b' });
    keyB = created.body.key;
    for (const question of ['What is the capital of France?', 'Capital of France, please', 'Name a colour', 'Say hi']) {
      traces.push(await chat(keyA, question));
    }
    traceOfB = await chat(keyB, 'Secret question of team b');
    await flushTraces(server);
    const helpfulness = await api('PUT', '/api/score-definitions/helpfulness', { kind: 'numeric', min: 1, max: 5 });
    assert.equal(helpfulness.status, 200, JSON.stringify(helpfulness.body));
    assert.equal((await api('PUT', '/api/score-definitions/topic', { kind: 'categorical', categories: ['geo', 'chat'] })).status, 200);
  });
  after(async () => {
    await server.stop();
    await mock.close();
  });

  test('every kind of feedback on a trace, with the key as principal and an optional author', async () => {
    const sent = [
      { kind: 'thumbs', value: 'up', author: 'user-42' },
      { kind: 'score', name: 'helpfulness', value: 4 },
      { kind: 'label', name: 'topic', label: 'geo' },
      { kind: 'correction', correction: 'Paris.' },
      { kind: 'preference', a: { trace_id: traces[1] }, b: { text: 'Lyon, I think.' }, chosen: 'a' },
    ];
    for (const body of sent) {
      const response = await api<Feedback>('POST', '/api/feedback', { trace_id: traces[0], ...body }, keyA);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.trace_id, traces[0]);
      assert.match(response.body.principal, /^key_/);
    }
    const list = await api<{ data: Feedback[] }>('GET', `/api/feedback?trace_id=${traces[0]}`, undefined, keyA);
    assert.deepEqual(list.body.data.map((entry) => entry.kind).sort(), ['correction', 'label', 'preference', 'score', 'thumbs']);
    const preference = list.body.data.find((entry) => entry.kind === 'preference');
    assert.deepEqual(preference?.preference, {
      chosen: { trace_id: traces[1], text: null },
      rejected: { trace_id: null, text: 'Lyon, I think.' },
    });
    assert.equal(list.body.data.find((entry) => entry.kind === 'thumbs')?.author, 'user-42');
  });

  test('values are checked against the score definitions: a 7 on a 1–5 scale is 400, and nothing is stored', async () => {
    const before = await api<{ data: Feedback[] }>('GET', `/api/feedback?trace_id=${traces[2]}`);
    const cases: [unknown, string][] = [
      [{ kind: 'score', name: 'helpfulness', value: 7 }, 'value'],
      [{ kind: 'score', name: 'unknown', value: 1 }, 'name'],
      [{ kind: 'label', name: 'topic', label: 'sports' }, 'label'],
      [{ kind: 'label', name: 'helpfulness', label: 'geo' }, 'kind'],
      [{ kind: 'thumbs', value: 'sideways' }, 'value'],
      [{ kind: 'preference', a: { text: 'x' }, b: { text: 'y', trace_id: traces[1] }, chosen: 'a' }, 'b'],
    ];
    for (const [body, param] of cases) {
      const response = await api<ApiError>('POST', '/api/feedback', { trace_id: traces[2], ...(body as object) }, keyA);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.ok(response.body.error.param?.startsWith(param), `${JSON.stringify(body)} → ${JSON.stringify(response.body)}`);
    }
    const after = await api<{ data: Feedback[] }>('GET', `/api/feedback?trace_id=${traces[2]}`);
    assert.equal(after.body.data.length, before.body.data.length);
  });

  test("a project key stays in its project: another project's trace is 404 like an unknown one", async () => {
    const foreign = await api<ApiError>('POST', '/api/feedback', { trace_id: traceOfB, kind: 'thumbs', value: 'down' }, keyA);
    assert.equal(foreign.status, 404);
    const unknown = await api<ApiError>('POST', '/api/feedback', { trace_id: 'trc_missing', kind: 'thumbs', value: 'down' }, keyA);
    assert.equal(unknown.status, 404);
    assert.equal(foreign.body.error.message.replace(traceOfB, 'X'), unknown.body.error.message.replace('trc_missing', 'X'));
    const crossPreference = await api<ApiError>(
      'POST',
      '/api/feedback',
      { trace_id: traces[0], kind: 'preference', a: { trace_id: traceOfB }, b: { text: 'x' }, chosen: 'a' },
      keyA,
    );
    assert.equal(crossPreference.status, 404);
    assert.equal((await api('POST', '/api/feedback', { trace_id: traceOfB, kind: 'thumbs', value: 'up' }, keyB)).status, 201);
    const seenByB = await api<{ data: Feedback[] }>('GET', '/api/feedback', undefined, keyB);
    assert.deepEqual(
      seenByB.body.data.map((entry) => entry.trace_id),
      [traceOfB],
    );
    assert.equal((await api('GET', '/api/feedback?project=default', undefined, keyB)).status, 404);
    assert.equal((await api('PUT', '/api/score-definitions/x', { kind: 'numeric' }, keyA)).status, 403, 'definitions need the admin key');
    assert.equal((await api('GET', '/api/feedback')).status, 200, 'the admin key sees every project');
    assert.equal((await fetch(`${server.url}/api/feedback`)).status, 401);
  });

  test('list filters and cursor pages; summary per score name', async () => {
    for (const value of [1, 2, 5]) {
      assert.equal(
        (await api('POST', '/api/feedback', { trace_id: traces[3], kind: 'score', name: 'helpfulness', value, author: 'pager' }, keyA))
          .status,
        201,
      );
    }
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Feedback[]; next_cursor: string | null } } = await api(
        'GET',
        `/api/feedback?author=pager&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        keyA,
      );
      ids.push(...page.body.data.map((entry) => entry.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.equal(new Set(ids).size, 3);
    const summary = await api<{ data: { name: string; count: number; mean: number | null; distribution: Record<string, number> }[] }>(
      'GET',
      `/api/feedback/summary?name=helpfulness&trace_id=${traces[3]}`,
      undefined,
      keyA,
    );
    assert.deepEqual(summary.body.data, [
      { name: 'helpfulness', kind: 'score', count: 3, mean: 8 / 3, distribution: { '1': 1, '2': 1, '5': 1 } },
    ]);
    const audit = await api<{ data: { action: string }[] }>('GET', '/api/audit?object_type=score_definition');
    assert.deepEqual(
      audit.body.data.map((entry) => entry.action),
      ['score_definition.create', 'score_definition.create'],
    );
  });

  test('an annotation queue: two reviewers, next, submit, skip, progress and Cohen kappa between them', async () => {
    const created = await api<{ name: string }>('POST', '/api/queues', {
      name: 'helpfulness-review',
      reviewers: ['ann', 'ben'],
      required_reviews_per_item: 2,
      score_name: 'helpfulness',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const added = await api<{ added: number; skipped: number }>(
      'POST',
      '/api/queues/helpfulness-review/items',
      { trace_ids: traces },
      keyA,
    );
    assert.deepEqual(added.body, { ...added.body, added: 4, skipped: 0 });
    assert.equal((await api('POST', '/api/queues/helpfulness-review/items', { trace_ids: [traceOfB] }, keyA)).status, 404);
    assert.equal((await api('GET', '/api/queues/helpfulness-review/next?reviewer=ann', undefined, keyB)).status, 404, 'not your project');

    // ann and ben agree on 3 of 4 items: kappa over helpfulness answers.
    const answers: Record<string, number[]> = { ann: [4, 2, 5, 3], ben: [4, 2, 5, 1] };
    for (const reviewer of ['ann', 'ben']) {
      for (const value of answers[reviewer]!) {
        const next = await api<{ item: { id: string; input_text: string; output_text: string | null } | null }>(
          'GET',
          `/api/queues/helpfulness-review/next?reviewer=${reviewer}`,
          undefined,
          keyA,
        );
        assert.ok(next.body.item, `${reviewer} has an item`);
        assert.match(next.body.item.input_text, /^user: /);
        const submitted = await api<Feedback>(
          'POST',
          `/api/queues/helpfulness-review/items/${next.body.item.id}/submit`,
          { reviewer, kind: 'score', value },
          keyA,
        );
        assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
        assert.deepEqual([submitted.body.name, submitted.body.author], ['helpfulness', reviewer]);
      }
    }
    const none = await api<{ item: unknown }>('GET', '/api/queues/helpfulness-review/next?reviewer=ann', undefined, keyA);
    assert.equal(none.body.item, null);
    const out = await api<ApiError>(
      'POST',
      `/api/queues/helpfulness-review/items/x/submit`,
      { reviewer: 'ann', kind: 'score', value: 9 },
      keyA,
    );
    assert.equal(out.status, 404, 'an unknown item');
    assert.equal((await api('GET', '/api/queues/helpfulness-review/next?reviewer=zoe', undefined, keyA)).status, 400);

    const queue = await api<{
      progress: { total_items: number; completed_items: number; reviewers: { reviewer: string; done: number }[] };
    }>('GET', '/api/queues/helpfulness-review', undefined, keyA);
    assert.deepEqual([queue.body.progress.total_items, queue.body.progress.completed_items], [4, 4]);
    assert.deepEqual(
      queue.body.progress.reviewers.map((entry) => [entry.reviewer, entry.done]),
      [
        ['ann', 4],
        ['ben', 4],
      ],
    );
    const agreement = await api<{
      data: {
        name: string;
        items_compared: number;
        percent_agreement: number;
        cohens_kappa: number;
        krippendorff_alpha_interval: number;
      }[];
    }>('GET', '/api/queues/helpfulness-review/agreement', undefined, keyA);
    const [helpfulness] = agreement.body.data;
    assert.equal(helpfulness?.items_compared, 4);
    assert.equal(helpfulness?.percent_agreement, 0.75);
    // p_o = 3/4; marginals ann {4,2,5,3}, ben {4,2,5,1}: p_e = 3 × (1/4)² = 3/16 → κ = (3/4 − 3/16) / (13/16) = 9/13
    assert.ok(Math.abs((helpfulness?.cohens_kappa ?? 0) - 9 / 13) < 1e-12, String(helpfulness?.cohens_kappa));
  });

  test('skipping hands the item to the other reviewer; queue changes are audited', async () => {
    assert.equal((await api('POST', '/api/queues', { name: 'labels', reviewers: ['ann', 'ben'], score_name: 'topic' })).status, 201);
    await api('POST', '/api/queues/labels/items', { trace_filter: { model: 'small' }, limit: 2 }, keyA);
    const first = await api<{ item: { id: string } }>('GET', '/api/queues/labels/next?reviewer=ann', undefined, keyA);
    const skipped = await api<{ reassigned_to: string | null }>(
      'POST',
      `/api/queues/labels/items/${first.body.item.id}/skip`,
      { reviewer: 'ann' },
      keyA,
    );
    assert.deepEqual(skipped.body, { reassigned_to: 'ben' });
    const again = await api<ApiError>('POST', `/api/queues/labels/items/${first.body.item.id}/skip`, { reviewer: 'ann' }, keyA);
    assert.equal(again.status, 409);
    const audit = await api<{ data: { action: string; object_id: string }[] }>(
      'GET',
      '/api/audit?object_type=annotation_queue&object_id=labels',
    );
    assert.deepEqual(
      audit.body.data.map((entry) => entry.action),
      ['queue.items_add', 'queue.create'],
    );
  });
  test('done when: feedback on traces flows into a new dataset version and exports as preference pairs (JSONL)', async () => {
    const question = 'Which city is the capital of Turkey?';
    const [first, second, third] = [
      await chat(keyA, question),
      await chat(keyA, `${question} Be brief.`),
      await chat(keyA, 'Which city is the capital of Japan?'),
    ];
    await flushTraces(server);
    // Two answers to nearly one question; the preference's prompt is the first trace's messages.
    const outputOf = async (id: string): Promise<string> =>
      (await api<{ response_body: { message: { content: string } } }>('GET', `/api/traces/${id}`)).body.response_body.message.content;
    const sent = [
      { trace_id: first, kind: 'correction', correction: 'Ankara.' },
      { trace_id: first, kind: 'thumbs', value: 'down' },
      { trace_id: third, kind: 'correction', correction: 'Tokyo.' },
      { trace_id: third, kind: 'score', name: 'helpfulness', value: 2 },
      { trace_id: first, kind: 'preference', a: { trace_id: first }, b: { trace_id: second }, chosen: 'b' },
      { trace_id: third, kind: 'preference', a: { text: 'Kyoto.' }, b: { text: 'Tokyo.' }, chosen: 'b' },
    ];
    for (const body of sent) {
      const response = await api('POST', '/api/feedback', { ...body, author: 'done-when' }, keyA);
      assert.equal(response.status, 201, JSON.stringify(response.body));
    }

    const converted = await api<{
      dataset: string;
      version: number;
      item_count: number;
      items: number;
      preference_pairs: number;
      feedback: number;
    }>('POST', '/api/feedback/to-dataset', { dataset: 'capitals-feedback', filter: { author: 'done-when' } });
    assert.equal(converted.status, 201, JSON.stringify(converted.body));
    assert.deepEqual(converted.body, { ...converted.body, version: 1, items: 2, preference_pairs: 2, item_count: 4, feedback: 6 });

    const version = await api<{ step: string; source: { kind: string; filter: unknown; feedback: number } }>(
      'GET',
      '/api/datasets/capitals-feedback/versions/1',
    );
    assert.equal(version.body.step, 'feedback');
    assert.deepEqual(
      [version.body.source.kind, version.body.source.filter, version.body.source.feedback],
      ['feedback', { author: 'done-when' }, 6],
    );

    const plain = await api<string>('GET', '/api/datasets/capitals-feedback/versions/1/export?format=jsonl');
    assert.equal(plain.status, 200);
    const items = new Map(
      plain.body
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as {
              id: string;
              expected: string;
              metadata: { feedback?: { thumbs: { down: number }; scores: Record<string, number[]> } };
            },
        )
        .map((item) => [item.id, item]),
    );
    assert.equal(items.get(`trace:${first}`)?.expected, 'Ankara.', 'a correction becomes the expected output');
    assert.equal(items.get(`trace:${first}`)?.metadata.feedback?.thumbs.down, 1, 'thumbs become metadata');
    assert.deepEqual(items.get(`trace:${third}`)?.metadata.feedback?.scores, { helpfulness: [2] }, 'scores become metadata');

    const exported = await fetch(`${server.url}/api/datasets/capitals-feedback/versions/1/export?format=preference&model=small`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    assert.equal(exported.status, 200, await exported.clone().text());
    const pairs = (await exported.text())
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            prompt: { role: string; content: string }[];
            chosen: { role: string; content: string }[];
            rejected: { role: string; content: string }[];
          },
      );
    assert.deepEqual(
      pairs.map((pair) => [pair.prompt, pair.chosen, pair.rejected]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        [
          [{ role: 'user', content: question }],
          [{ role: 'assistant', content: await outputOf(second) }],
          [{ role: 'assistant', content: await outputOf(first) }],
        ],
        [
          [{ role: 'user', content: 'Which city is the capital of Japan?' }],
          [{ role: 'assistant', content: 'Tokyo.' }],
          [{ role: 'assistant', content: 'Kyoto.' }],
        ],
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );

    const again = await api<{ version: number; created: boolean }>('POST', '/api/feedback/to-dataset', {
      dataset: 'capitals-feedback',
      filter: { author: 'done-when' },
    });
    assert.deepEqual([again.body.version, again.body.created], [1, false], 'the same feedback makes no new version');
    const none = await api<ApiError>('POST', '/api/feedback/to-dataset', { dataset: 'capitals-feedback', filter: { author: 'nobody' } });
    assert.equal(none.status, 400);
    assert.equal((await api('POST', '/api/feedback/to-dataset', { dataset: 'x' }, keyA)).status, 403, 'the admin key only');
  });
});
