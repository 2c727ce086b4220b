/**
 * Issue #4 fault tests: a model group whose primary upstream misbehaves in every way the mock
 * provider can, and a healthy backup. Clients must see zero failures, and every call a trace.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

const healthy = { errorRate: 0, timeoutRate: 0, resetRate: 0, cutStreamRate: 0, malformedRate: 0 };

describe('fault tolerance with a healthy fallback', () => {
  let primary: MockProvider;
  let backup: MockProvider;
  let server: TestServer;
  let client: OpenAI;
  let sent = 0;

  before(async () => {
    primary = await startMockProvider({ port: 0, seed: 11, outputTokens: 10 });
    backup = await startMockProvider({ port: 0, seed: 12, outputTokens: 10 });
    const price = { input_per_mtok: 1, output_per_mtok: 2 };
    server = await startTestServer({
      providers: [
        { id: 'primary', type: 'openai-compatible', base_url: `${primary.url}/v1` },
        { id: 'backup', type: 'openai-compatible', base_url: `${backup.url}/v1` },
      ],
      models: [
        { name: 'p', provider: 'primary', upstream_model: 'gpt-4o-mini', price },
        { name: 'b', provider: 'backup', upstream_model: 'gpt-4o-mini', price },
      ],
      groups: [
        {
          name: 'smart',
          targets: [{ model: 'p', timeout_ms: 1500, ttft_timeout_ms: 400 }, 'b'],
          retries: { attempts: 1, base_delay_ms: 5, max_delay_ms: 50 },
          // A high threshold keeps the primary in play, so every fault below is really exercised.
          circuit_breaker: { failure_threshold: 1000, open_ms: 1000 },
        },
      ],
    });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await server.createKey('faults'), maxRetries: 0, timeout: 20_000 });
  });
  after(async () => {
    await server.stop();
    await primary.close();
    await backup.close();
  });
  beforeEach(() => primary.configure({ ttftMs: 0, failures: healthy }));

  async function chatMany(count: number): Promise<void> {
    sent += count;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: `hello ${index}` }] }),
      ),
    );
    for (const answer of answers) assert.ok(answer.choices[0]?.message.content);
  }

  async function streamMany(count: number): Promise<void> {
    sent += count;
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const stream = await client.chat.completions.create({
          model: 'smart',
          messages: [{ role: 'user', content: `stream ${index}` }],
          stream: true,
        });
        let text = '';
        let finish: string | null = null;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        assert.equal(finish, 'stop');
        assert.ok(text.length > 0);
      }),
    );
  }

  test('a burst of 5xx on the primary', async () => {
    primary.configure({ failures: { ...healthy, errorRate: 1, errorStatus: 502 } });
    await chatMany(30);
    await streamMany(10);
    primary.configure({ failures: healthy });
    await chatMany(10);
  });

  test('half the primary’s calls fail with 503 or 429', async () => {
    primary.configure({ failures: { ...healthy, errorRate: 0.5, errorStatus: 503 } });
    await chatMany(30);
    primary.configure({ failures: { ...healthy, errorRate: 0.5, errorStatus: 429 } });
    await chatMany(30);
  });

  test('timeouts: the primary never answers', async () => {
    primary.configure({ failures: { ...healthy, timeoutRate: 1 } });
    await chatMany(10);
    await streamMany(5);
  });

  test('connection resets', async () => {
    primary.configure({ failures: { ...healthy, resetRate: 1 } });
    await chatMany(20);
    await streamMany(10);
  });

  test('malformed responses', async () => {
    primary.configure({ failures: { ...healthy, malformedRate: 1 } });
    await chatMany(20);
  });

  test('streams cut before the first token fail over transparently', async () => {
    primary.configure({ failures: { ...healthy, cutStreamRate: 1, cutAfterTokens: 0 } });
    await streamMany(20);
  });

  test('slow first tokens past the ttft limit fail over', async () => {
    primary.configure({ ttftMs: 2000 });
    const started = Date.now();
    await streamMany(5);
    assert.ok(Date.now() - started < 1900, 'the backup answered before the slow primary would have');
  });

  // Once tokens have reached the client, the answer cannot move to another target: the stream
  // must end with an explicit error event, never look like a complete answer.
  for (const [name, failures, message] of [
    ['cut', { cutStreamRate: 1, cutAfterTokens: 3 }, /broke off its response/],
    ['malformed', { malformedRate: 1 }, /not JSON/],
  ] as const) {
    test(`a stream ${name} after tokens reached the client ends with an explicit error`, async () => {
      primary.configure({ failures: { ...healthy, ...failures } });
      sent += 1;
      const stream = await client.chat.completions.create({
        model: 'smart',
        messages: [{ role: 'user', content: `${name} me` }],
        stream: true,
      });
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      }, message);
      assert.ok(text.length > 0, 'tokens arrived before the failure');
    });
  }

  test('zero lost traces: every call above was recorded, failed attempts included in its trace', async () => {
    await flushTraces(server);
    const count = await server.context.store.traces.count();
    assert.equal(count, sent);
    const { body } = await adminGet<{ data: { status: string; error_code: string | null }[] }>(
      server,
      '/api/traces?status=error&limit=500',
    );
    assert.equal(body.data.length, 2, 'only the two streams broken after their first tokens are errors');
  });
});
