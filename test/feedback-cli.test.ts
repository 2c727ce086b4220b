/**
 * The `fener feedback` and `fener queues` commands, run as a user would (a child process each) on
 * the database of a running server that recorded the traces. In its own file: each command is a
 * process start, which is slow on a loaded machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { runCli } from './support/cli.js';
import { flushTraces, startTestServer, type TestServer } from './support/fener.js';

describe('feedback and queues from the CLI', () => {
  let mock: MockProvider;
  let server: TestServer;
  const traces: string[] = [];

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 5, outputTokens: 4 });
    server = await startTestServer({
      providers: [{ id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
      models: [
        { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
      ],
    });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await server.createKey('cli'), maxRetries: 0 });
    for (const question of ['First question', 'Second question']) {
      const { response } = await client.chat.completions
        .create({ model: 'small', messages: [{ role: 'user', content: question }] })
        .withResponse();
      traces.push(response.headers.get('x-fener-trace-id')!);
    }
    await flushTraces(server);
  });
  after(async () => {
    await server.stop();
    await mock.close();
  });

  test('the CLI: define a score, add feedback (refused out of range), list, summary; a queue from next to progress', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const run = async (...args: string[]): Promise<string> => {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, `fener ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    assert.match(await run('feedback', 'define', 'stars', '--kind', 'numeric', '--min', '1', '--max', '5'), /created stars/);
    const refused = await runCli(['feedback', 'add', traces[1]!, '--kind', 'score', '--name', 'stars', '--value', '9'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /9 is outside stars's range 1–5/);
    assert.match(
      await run('feedback', 'add', traces[1]!, '--kind', 'score', '--name', 'stars', '--value', '3', '--author', 'cli-user'),
      /^fbk_/,
    );
    await run('feedback', 'add', traces[1]!, '--kind', 'preference', '--chosen-trace', traces[0]!, '--rejected-text', 'Nope');
    const listed = JSON.parse(await run('feedback', 'list', '--trace', traces[1]!, '--limit', '2', '--json')) as {
      data: { kind: string; author: string | null }[];
    };
    assert.deepEqual(
      listed.data.map((entry) => [entry.kind, entry.author]),
      [
        ['preference', null],
        ['score', 'cli-user'],
      ],
    );
    const summary = JSON.parse(await run('feedback', 'summary', '--name', 'stars', '--json')) as { count: number; mean: number }[];
    assert.deepEqual([summary[0]?.count, summary[0]?.mean], [1, 3]);

    await run('queues', 'create', 'cli-queue', '--reviewers', 'ann,ben', '--required', '2', '--score', 'stars');
    assert.match(await run('queues', 'add', 'cli-queue', '--traces', `${traces[0]},${traces[0]}`), /added 1, skipped 1/);
    for (const [reviewer, value] of [
      ['ann', '5'],
      ['ben', '4'],
    ] as const) {
      const next = JSON.parse(await run('queues', 'next', 'cli-queue', '--reviewer', reviewer, '--json')) as { item: { id: string } };
      await run('queues', 'submit', 'cli-queue', next.item.id, '--reviewer', reviewer, '--kind', 'score', '--value', value);
    }
    const progress = JSON.parse(await run('queues', 'progress', 'cli-queue', '--json')) as {
      completed_items: number;
      agreement: { name: string; percent_agreement: number; krippendorff_alpha_interval: number }[];
    };
    assert.equal(progress.completed_items, 1);
    assert.deepEqual([progress.agreement[0]?.name, progress.agreement[0]?.percent_agreement], ['stars', 0]);
    assert.match(await run('queues', 'progress', 'cli-queue'), /1\/1 items complete[\s\S]*ann\s+1\/1/);
  });
});
