/**
 * Issue #4 through HTTP with the official client: rate limits with OpenAI's headers, budgets
 * that hold (a stream crossing one is stopped), and the response cache — exact hits, stream
 * replay, Cache-Control, and opt-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

interface TraceView {
  id: string;
  cache_hit: string | null;
  cost_usd: number;
  cost_saved_usd: number;
  attempts: number;
  status: string;
  error_code: string | null;
}

describe('traffic control through HTTP', () => {
  let mock: MockProvider;
  let server: TestServer;

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 5, outputTokens: 40, tokensPerSecond: 2000 });
    server = await startTestServer({
      providers: [{ id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
      models: [
        // Expensive on purpose so that budgets are reached in a few calls.
        { name: 'pricey', provider: 'upstream', upstream_model: 'gpt-4o', price: { input_per_mtok: 1000, output_per_mtok: 1000 } },
        { name: 'limited', provider: 'upstream', upstream_model: 'gpt-4o-mini', limits: { rpm: 2 } },
      ],
      cache: { enabled: true, ttl_seconds: 60 },
    });
  });
  after(async () => {
    await server.stop();
    await mock.close();
  });

  const admin = (): Record<string, string> => ({ authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' });

  async function keyWith(body: Record<string, unknown>): Promise<OpenAI> {
    const response = await server.app.inject({ method: 'POST', url: '/api/keys', headers: admin(), payload: { name: 'limited', ...body } });
    assert.equal(response.statusCode, 201, response.body);
    return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: response.json().key, maxRetries: 0 });
  }

  const ask = (client: OpenAI, model = 'pricey', extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], ...extra }).withResponse();

  test('requests per minute per key: 429 with Retry-After and x-ratelimit headers', async () => {
    const client = await keyWith({ limits: { rpm: 3 } });
    const first = await ask(client);
    assert.equal(first.response.headers.get('x-ratelimit-limit-requests'), '3');
    assert.equal(first.response.headers.get('x-ratelimit-remaining-requests'), '2');
    await ask(client);
    await ask(client);
    await assert.rejects(ask(client), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.ok(Number(error.headers?.get('retry-after')) > 0);
      assert.equal(error.headers?.get('x-ratelimit-remaining-requests'), '0');
      return true;
    });
  });

  test('per-model limits apply across keys', async () => {
    const a = await keyWith({});
    const b = await keyWith({});
    await ask(a, 'limited');
    await ask(b, 'limited');
    await assert.rejects(ask(a, 'limited'), (error: unknown) => error instanceof OpenAI.RateLimitError);
  });

  test('invalid limits and budgets are refused, naming the field', async () => {
    const negative = await server.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: admin(),
      payload: { name: 'x', budget: { usd: -1, period: 'day' } },
    });
    assert.equal(negative.statusCode, 400);
    assert.match(negative.json().error.param, /budget/);
    const period = await server.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: admin(),
      payload: { name: 'x', budget: { usd: 1, period: 'week' } },
    });
    assert.equal(period.statusCode, 400);
  });

  test('a key budget holds: calls are refused once it is spent, never overspent by more than one call', async () => {
    // One call costs about (prompt ~12 + 40 output tokens) × $1000 / 1M ≈ $0.05; the budget fits a few.
    const client = await keyWith({ budget: { usd: 0.2, period: 'day' } });
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      try {
        await ask(client, 'pricey', i % 2 === 0 ? { max_tokens: 40 } : {});
      } catch (error) {
        assert.ok(error instanceof OpenAI.RateLimitError, String(error));
        assert.equal(error.code, 'insufficient_quota');
        refused++;
      }
    }
    assert.ok(refused > 0);
    await flushTraces(server);
    const keyId = (await server.context.store.keys.list()).at(-1)!.id;
    const spent = await server.context.store.traces.spend({ keyId, since: 0 });
    assert.ok(spent <= 0.2 + 0.06, `spent ${spent}`);
  });

  test('a stream that crosses the budget mid-way is stopped with an explicit error', async () => {
    mock.configure({ outputTokens: 400 });
    try {
      const client = await keyWith({ budget: { usd: 0.15, period: 'day' } });
      // No max_tokens: the worst case does not fit the budget, so the stream runs on what is left.
      const stream = await client.chat.completions.create({ model: 'pricey', messages: [{ role: 'user', content: 'long' }], stream: true });
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      }, /budget was reached while this answer was streaming/);
      assert.ok(text.length > 0, 'tokens flowed before the stop');
      await flushTraces(server);
      const keyId = (await server.context.store.keys.list()).at(-1)!.id;
      const spent = await server.context.store.traces.spend({ keyId, since: 0 });
      // Stopped within one budget check (16 tokens ≈ $0.016) of the limit.
      assert.ok(spent > 0.1 && spent <= 0.15 + 0.02, `spent ${spent}`);
    } finally {
      mock.configure({ outputTokens: 40 });
    }
  });

  test('cache: a deterministic request is answered from the cache, also as a stream, with the saving traced', async () => {
    const client = await keyWith({});
    const params = { temperature: 0, messages: [{ role: 'user' as const, content: 'What is 2+2?' }] };
    const first = await client.chat.completions.create({ model: 'pricey', ...params }).withResponse();
    assert.equal(first.response.headers.get('x-fener-cache'), 'miss');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the answer is stored in the background
    const second = await client.chat.completions.create({ model: 'pricey', ...params }).withResponse();
    assert.equal(second.response.headers.get('x-fener-cache'), 'hit');
    assert.equal(second.data.choices[0]?.message.content, first.data.choices[0]?.message.content);

    const stream = await client.chat.completions.create({
      model: 'pricey',
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, first.data.choices[0]?.message.content);

    await flushTraces(server);
    const hit = await adminGet<TraceView>(server, `/api/traces/${second.response.headers.get('x-fener-trace-id')}`);
    assert.equal(hit.body.cache_hit, 'exact');
    assert.equal(hit.body.cost_usd, 0);
    assert.ok(hit.body.cost_saved_usd > 0);
    assert.equal(hit.body.attempts, 0);
    const miss = await adminGet<TraceView>(server, `/api/traces/${first.response.headers.get('x-fener-trace-id')}`);
    assert.equal(miss.body.cache_hit, null);
    assert.equal(miss.body.attempts, 1);
    assert.ok(Math.abs(miss.body.cost_usd - hit.body.cost_saved_usd) < 1e-12);
  });

  test('cache: no-store and no-cache are honoured; sampling requests are cached only when asked', async () => {
    const client = await keyWith({});
    const params = { model: 'pricey', temperature: 0, messages: [{ role: 'user' as const, content: 'Cache-Control please' }] };
    await client.chat.completions.create(params, { headers: { 'cache-control': 'no-store' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const afterNoStore = await client.chat.completions.create(params).withResponse();
    assert.equal(afterNoStore.response.headers.get('x-fener-cache'), 'miss');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const noCache = await client.chat.completions.create(params, { headers: { 'cache-control': 'no-cache' } }).withResponse();
    assert.equal(noCache.response.headers.get('x-fener-cache'), 'miss');

    const sampling = { model: 'pricey', temperature: 0.9, messages: [{ role: 'user' as const, content: 'Be creative' }] };
    const plain = await client.chat.completions.create(sampling).withResponse();
    assert.equal(plain.response.headers.get('x-fener-cache'), null);
    await client.chat.completions.create(sampling, { headers: { 'x-fener-cache': 'true' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const optedIn = await client.chat.completions
      .create({ ...sampling, fener: { cache: true } } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    assert.equal(optedIn.response.headers.get('x-fener-cache'), 'hit');
  });

  test('cache entries are never shared between projects', async () => {
    await server.app.inject({ method: 'POST', url: '/api/projects', headers: admin(), payload: { name: 'other' } });
    const mine = await keyWith({});
    const theirs = await keyWith({ project: 'other' });
    const params = { model: 'pricey', temperature: 0, messages: [{ role: 'user' as const, content: 'private question' }] };
    await mine.chat.completions.create(params);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = await theirs.chat.completions.create(params).withResponse();
    assert.equal(other.response.headers.get('x-fener-cache'), 'miss');
  });
});
