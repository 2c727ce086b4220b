/**
 * Datasets through the HTTP API, the improvement-loop half: a preparation pipeline (one recorded
 * version per step, with lineage), splits that depend only on seed and id, fine-tuning exports
 * and their validation, and embeddings through the gateway (the mock provider, traced) followed by
 * a similarity search.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { datasetApi, exportLine, seedJsonl, type ApiError } from './support/datasets.js';
import { flushTraces, startTestServer, type TestServer } from './support/fener.js';

interface PipelineAnswer {
  from_version: number;
  final_version: number;
  steps: { step: string; version: number; created: boolean; item_count: number; dropped: number; stats: Record<string, unknown> }[];
}
interface Item {
  id: string;
  split: 'train' | 'validation' | 'test' | null;
  input: { messages?: { role: string; content: string }[] };
  expected?: unknown;
}

const user = (content: string) => ({ messages: [{ content, role: 'user' }] });

/** The documented rule, computed here independently: sha256(seed:id), first 53 bits, as a number in [0, 1). */
function documentedSplit(seed: number, id: string, ratios: [number, number]): string {
  const digest = createHash('sha256').update(`${seed}:${id}`).digest();
  const point = (digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11)) / 2 ** 53;
  return point < ratios[0] ? 'train' : point < ratios[0] + ratios[1] ? 'validation' : 'test';
}

describe('dataset preparation, splits, fine-tuning exports and embeddings through the API', () => {
  let mock: MockProvider;
  let server: TestServer;
  const api = <T>(method: string, path: string, options?: { body?: unknown; contentType?: string }) =>
    datasetApi<T>(server, method, path, options);
  const items = async (name: string, version: number | 'latest'): Promise<Item[]> => {
    const page = await api<{ data: Item[]; next: number | null }>('GET', `/api/datasets/${name}/versions/${version}/items?limit=1000`);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.next, null);
    return page.body.data;
  };
  const importInto = async (name: string, jsonl: string): Promise<void> => {
    assert.equal((await api('POST', '/api/datasets', { body: { name } })).status, 201);
    const imported = await api('POST', `/api/datasets/${name}/import`, { body: jsonl });
    assert.equal(imported.status, 201, imported.text);
  };

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 3 });
    server = await startTestServer({
      providers: [{ id: 'mock', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
      models: [
        {
          name: 'small',
          provider: 'mock',
          upstream_model: 'gpt-4o-mini',
          context_window: 4096,
          price: { input_per_mtok: 1, output_per_mtok: 2 },
        },
        {
          name: 'tiny',
          provider: 'mock',
          upstream_model: 'tiny-base',
          context_window: 16,
          price: { input_per_mtok: 1, output_per_mtok: 2 },
        },
        {
          name: 'embed',
          provider: 'mock',
          upstream_model: 'text-embedding-3-small',
          tasks: ['embeddings'],
          price: { input_per_mtok: 0.02, output_per_mtok: 0 },
        },
      ],
    });
  });
  after(async () => {
    await server.stop();
    await mock.close();
  });

  test('a YAML pipeline records one version per step with lineage: normalize, dedupe, pii, split', async () => {
    const extra = Array.from({ length: 12 }, (_, index) => ({
      id: `e${index}`,
      expected: 'fine',
      input: user(`Question number ${index}`),
    }));
    await importInto(
      'prep',
      [
        { id: 'p1', expected: 'Hi', input: user('Hello   world') },
        { id: 'p2', expected: 'Hi', input: user('Hello world') },
        { id: 'p3', expected: 'ok', input: user('Ｆｕｌｌｗｉｄｔｈ text') },
        { id: 'p4', expected: 'Sure', input: user('Mail me at ada@example.com please') },
        ...extra,
      ]
        .map(exportLine)
        .join(''),
    );
    const yaml = [
      'steps:',
      '  - step: normalize',
      '  - step: dedupe',
      '  - step: pii',
      '  - { step: split, seed: 7, train: 0.5, validation: 0.25, test: 0.25 }',
    ];
    const run = await api<PipelineAnswer>('POST', '/api/datasets/prep/prepare', { body: { pipeline_yaml: yaml.join('\n') } });
    assert.equal(run.status, 201, run.text);
    assert.deepEqual([run.body.from_version, run.body.final_version], [1, 5]);
    assert.deepEqual(
      run.body.steps.map((step) => [step.step, step.version, step.item_count, step.dropped]),
      [
        ['normalize', 2, 16, 0],
        ['dedupe', 3, 15, 1],
        ['pii', 4, 15, 0],
        ['split', 5, 15, 0],
      ],
    );
    assert.deepEqual(run.body.steps[2]!.stats.entities, { email: 1 });

    const lineage = await api<{ parent_version: number; step: string; lineage: { version: number; step: string }[] }>(
      'GET',
      '/api/datasets/prep/versions/5',
    );
    assert.deepEqual(
      lineage.body.lineage.map((entry) => [entry.version, entry.step]),
      [
        [4, 'pii'],
        [3, 'dedupe'],
        [2, 'normalize'],
        [1, 'import'],
      ],
    );
    const final = await items('prep', 5);
    const byId = new Map(final.map((item) => [item.id, item]));
    assert.equal(byId.has('p2'), false, 'the second of two equal items is dropped');
    assert.equal(byId.get('p1')!.input.messages![0]!.content, 'Hello world');
    assert.equal(byId.get('p3')!.input.messages![0]!.content, 'Fullwidth text');
    assert.equal(byId.get('p4')!.input.messages![0]!.content, 'Mail me at [EMAIL] please');
    for (const item of final) assert.equal(item.split, documentedSplit(7, item.id, [0.5, 0.25]), item.id);
    assert.ok(new Set(final.map((item) => item.split)).size > 1, 'fifteen items fall in more than one split');

    const again = await api<PipelineAnswer>('POST', '/api/datasets/prep/prepare', { body: { version: 1, pipeline_yaml: yaml.join('\n') } });
    assert.deepEqual(
      again.body.steps.map((step) => [step.version, step.created]),
      [
        [2, false],
        [3, false],
        [4, false],
        [5, false],
      ],
      'the same pipeline over the same input is the same versions',
    );
  });

  test('a split depends on seed and id only: the same items land alike from another version; export by split', async () => {
    const split = await api<PipelineAnswer>('POST', '/api/datasets/prep/split', {
      body: { version: 1, seed: 7, train: 0.5, validation: 0.25, test: 0.25 },
    });
    assert.equal(split.status, 201, split.text);
    assert.deepEqual([split.body.from_version, split.body.final_version], [1, 6]);
    const fromRaw = new Map((await items('prep', 6)).map((item) => [item.id, item.split]));
    assert.equal(fromRaw.size, 16);
    for (const item of await items('prep', 5)) assert.equal(fromRaw.get(item.id), item.split, item.id);

    const train = (await items('prep', 6)).filter((item) => item.split === 'train').map((item) => item.id);
    const exported = await api('GET', '/api/datasets/prep/versions/6/export?split=train');
    const exportedIds = exported.text
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string; split: string }).id);
    assert.deepEqual(exportedIds, train);
    assert.ok(exported.text.split('\n').every((line) => line === '' || line.includes('"split":"train"')));

    const wrong = await api<ApiError>('POST', '/api/datasets/prep/split', { body: { seed: 1, train: 0.5, validation: 0.5, test: 0.5 } });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error.message, /add up to 1/);
  });

  test('fine-tuning: openai-chat and preference exports hold the valid items only; validation reports the rest', async () => {
    await importInto('ft', seedJsonl);
    const chat = await api('GET', '/api/datasets/ft/versions/1/export?format=openai-chat&model=small');
    assert.equal(chat.status, 200, chat.text);
    const lines = chat.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { messages: { role: string; content: string }[] });
    assert.equal(lines.length, 5, 'q3 (variables) and q6 (no expected output) are left out');
    assert.deepEqual(lines[1], {
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris' },
      ],
    });
    const preference = await api('GET', '/api/datasets/ft/versions/1/export?format=preference&model=small');
    const pairs = preference.text.trim().split('\n');
    assert.equal(pairs.length, 1, 'q5 is the only item with a rejected answer');
    assert.deepEqual(JSON.parse(pairs[0]!), {
      prompt: [{ role: 'user', content: 'Say no' }],
      chosen: [{ role: 'assistant', content: 'Sure, here it is.' }],
      rejected: [{ role: 'assistant', content: 'No.' }],
    });

    type Report = { examples: number; invalid: number; problems: { id: string; reason: string }[]; tokens: { total: number } } & Record<
      string,
      unknown
    >;
    const report = await api<Report>('POST', '/api/datasets/ft/versions/1/finetune/validate', { body: { model: 'small', epochs: 2 } });
    assert.equal(report.status, 200, report.text);
    assert.deepEqual([report.body.examples, report.body.invalid], [5, 2]);
    assert.deepEqual(
      report.body.problems.map((problem) => problem.id),
      ['q3', 'q6'],
    );
    assert.equal(report.body.context_window, 4096);
    assert.equal(report.body.training_tokens, report.body.tokens.total * 2);
    assert.equal(report.body.price_per_mtok, 3, 'the built-in list price of gpt-4o-mini');
    assert.equal(report.body.estimated_cost_usd, Number(((report.body.tokens.total * 2 * 3) / 1e6).toFixed(6)));

    const tiny = await api<Report>('POST', '/api/datasets/ft/versions/1/finetune/validate', {
      body: { model: 'tiny', training_price_per_mtok: 1 },
    });
    assert.ok(tiny.body.invalid > 2, tiny.text);
    assert.ok(tiny.body.problems.some((problem) => /exceed the context window of 16/.test(problem.reason)));
    assert.equal(tiny.body.price_source, 'given by the caller');
    const noModel = await api<ApiError>('GET', '/api/datasets/ft/versions/1/export?format=openai-chat');
    assert.deepEqual([noModel.status, noModel.body.error.param], [400, 'model']);
  });

  test('embeddings through the gateway (traced, reused by content), then a cosine search finds the item', async () => {
    type EmbedAnswer = { items: number; embedded: number; reused: number; dimensions: number; calls: number; trace_ids: string[] };
    const unsearched = await api<ApiError>('POST', '/api/datasets/ft/versions/1/search', { body: { model: 'embed', query: 'x' } });
    assert.deepEqual([unsearched.status, unsearched.body.error.code], [409, 'conflict']);

    const first = await api<EmbedAnswer>('POST', '/api/datasets/ft/versions/1/embed', { body: { model: 'embed', batch_size: 4 } });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.items, first.body.embedded, first.body.reused, first.body.calls], [7, 7, 0, 2]);
    assert.equal(first.body.dimensions, 8, "the mock's default dimensions");
    await flushTraces(server);
    const trace = await api<{ endpoint: string; model: string; status: string; metadata: Record<string, unknown> }>(
      'GET',
      `/api/traces/${first.body.trace_ids[0]}`,
    );
    assert.equal(trace.status, 200, trace.text);
    assert.deepEqual([trace.body.endpoint, trace.body.model, trace.body.status], ['embeddings', 'embed', 'ok']);
    assert.equal(trace.body.metadata.dataset, 'ft');

    const second = await api<EmbedAnswer>('POST', '/api/datasets/ft/versions/1/embed', { body: { model: 'embed' } });
    assert.deepEqual([second.body.embedded, second.body.reused, second.body.calls], [0, 7, 0], 'vectors are kept per content and model');

    // The mock's vectors depend only on the text, so the exact text of q2 (input, then expected) scores 1.
    const search = await api<{ hits: { id: string; score: number }[]; searched: number; trace_id: string }>(
      'POST',
      '/api/datasets/ft/versions/1/search',
      { body: { model: 'embed', query: 'Answer in one word.\nCapital of France?\nParis', k: 3 } },
    );
    assert.equal(search.status, 200, search.text);
    assert.equal(search.body.searched, 7);
    assert.equal(search.body.hits.length, 3);
    assert.equal(search.body.hits[0]!.id, 'q2');
    assert.ok(Math.abs(search.body.hits[0]!.score - 1) < 1e-6, `score ${search.body.hits[0]!.score}`);
    assert.ok(search.body.hits[1]!.score < 0.999 && search.body.hits[1]!.score <= search.body.hits[0]!.score);
    assert.match(search.body.trace_id, /\S/);

    const notEmbeddings = await api<ApiError>('POST', '/api/datasets/ft/versions/1/embed', { body: { model: 'small' } });
    assert.ok(notEmbeddings.status >= 400 && notEmbeddings.status < 500, `a chat model cannot embed: ${notEmbeddings.text}`);
  });
});
