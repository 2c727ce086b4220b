/**
 * Issue #3: the official `openai` client through Fener to a local GGUF model run by llama.cpp —
 * a tiny model with random weights that the test writes itself (nothing is downloaded).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { tinyGgufPath } from './fixtures/tiny-gguf.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

describe('local llama.cpp model through the gateway', () => {
  let server: TestServer;
  let client: OpenAI;

  before(async () => {
    server = await startTestServer({
      providers: [{ id: 'local', type: 'llama-cpp', model_path: await tinyGgufPath(), threads: 1, context_size: 512 }],
      models: [{ name: 'tiny', provider: 'local', tasks: ['chat', 'embeddings'], context_window: 512 }],
    });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await server.createKey('local'), maxRetries: 0 });
  });
  after(() => server.stop());

  test('chat: generated text with the model’s own token counts, traced', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'tiny',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
        ],
        max_tokens: 8,
        seed: 1,
      })
      .withResponse();
    assert.equal(data.choices[0]?.finish_reason, 'length');
    assert.equal(data.usage?.completion_tokens, 8);
    assert.ok((data.usage?.prompt_tokens ?? 0) > 0);
    await flushTraces(server);
    const trace = await adminGet<{ provider: string; output_tokens: number; tokens_estimated: boolean }>(
      server,
      `/api/traces/${response.headers.get('x-fener-trace-id')}`,
    );
    assert.equal(trace.body.provider, 'local');
    assert.equal(trace.body.output_tokens, 8);
    assert.equal(trace.body.tokens_estimated, false);
  });

  test('streaming with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'Tell me something' }],
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    });
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas++;
      usage = chunk.usage ?? usage;
    }
    assert.ok(deltas > 0);
    assert.equal(usage?.completion_tokens, 6);
  });

  test('embeddings have the model’s dimension and are deterministic', async () => {
    const first = await client.embeddings.create({ model: 'tiny', input: ['hello world', 'another text'] });
    const again = await client.embeddings.create({ model: 'tiny', input: 'hello world' });
    assert.equal(first.data.length, 2);
    assert.equal(first.data[0]!.embedding.length, 64);
    assert.deepEqual(again.data[0]!.embedding, first.data[0]!.embedding);
  });

  test('requests the local model cannot serve get a clear 400', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'tiny',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'tools',
    );
  });
});
