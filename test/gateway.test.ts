/**
 * Issue #3 end to end: the official `openai` and `@anthropic-ai/sdk` clients, unmodified, against
 * Fener in front of the mock provider; every call traced with the right tokens and cost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';
import { parsePrometheus } from './support/prometheus.js';

interface TraceView {
  id: string;
  model: string;
  status: string;
  http_status: number;
  error_code: string | null;
  input_tokens: number;
  output_tokens: number;
  tokens_estimated: boolean;
  cost_usd: number;
  ttft_ms: number | null;
  stream: boolean;
  end_user: string | null;
  metadata: Record<string, unknown> | null;
  response_body: unknown;
}

const price = { input_per_mtok: 0.15, output_per_mtok: 0.6 };
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
    },
  },
};

describe('gateway with real clients', () => {
  let mock: MockProvider;
  let server: TestServer;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 7, outputTokens: 12 });
    server = await startTestServer(
      {
        providers: [
          { id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
          { id: 'claude', type: 'anthropic', base_url: `${mock.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
          { id: 'broken', type: 'openai-compatible', base_url: `${mock.url}/v1`, headers: { 'x-mock-fail': '503' } },
          { id: 'garbage', type: 'openai-compatible', base_url: `${mock.url}/v1`, headers: { 'x-mock-fail': 'malformed' } },
        ],
        models: [
          { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price },
          { name: 'sonnet', provider: 'claude', upstream_model: 'claude-sonnet-4-0', price: { input_per_mtok: 3, output_per_mtok: 15 } },
          {
            name: 'embed',
            provider: 'upstream',
            upstream_model: 'text-embedding-3-small',
            price: { input_per_mtok: 0.02, output_per_mtok: 0 },
            tasks: ['embeddings'],
          },
          { name: 'down', provider: 'broken', price },
          { name: 'nonsense', provider: 'garbage', price },
        ],
      },
      { UPSTREAM_KEY: 'upstream-secret' },
    );
    const key = await server.createKey('clients');
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: server.url, apiKey: key, maxRetries: 0 });
  });
  after(async () => {
    await server.stop();
    await mock.close();
  });

  async function trace(id: string): Promise<TraceView> {
    await flushTraces(server);
    const { status, body } = await adminGet<TraceView>(server, `/api/traces/${id}`);
    assert.equal(status, 200);
    return body;
  }

  function expectedCost(input: number, output: number): number {
    return (input * price.input_per_mtok + output * price.output_per_mtok) / 1_000_000;
  }

  test('chat: answer, usage, trace with tokens and cost', async () => {
    const { data, response } = await openai.chat.completions
      .create(
        { model: 'small', messages: [{ role: 'user', content: 'Say hello' }], user: 'alice' },
        { headers: { 'x-fener-metadata': '{"feature":"greeting"}' } },
      )
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'small');
    assert.ok((data.choices[0]?.message.content ?? '').length > 0);
    assert.equal(data.usage?.completion_tokens, 12);
    const traceId = response.headers.get('x-fener-trace-id')!;
    const recorded = await trace(traceId);
    assert.equal(recorded.status, 'ok');
    assert.equal(recorded.input_tokens, data.usage?.prompt_tokens);
    assert.equal(recorded.output_tokens, 12);
    assert.equal(recorded.tokens_estimated, false);
    assert.ok(Math.abs(recorded.cost_usd - expectedCost(recorded.input_tokens, 12)) < 1e-12);
    assert.equal(recorded.end_user, 'alice');
    assert.deepEqual(recorded.metadata, { feature: 'greeting' });
  });

  test('streaming with include_usage: deltas, a final usage chunk, ttft in the trace', async () => {
    const stream = await openai.chat.completions.create({
      model: 'small',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    let id = '';
    for await (const chunk of stream) {
      id = chunk.id;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(text.length > 0);
    assert.equal(finish, 'stop');
    assert.equal(usage?.completion_tokens, 12);
    assert.ok(id.length > 0);
    await flushTraces(server);
    const { body } = await adminGet<{ data: TraceView[] }>(server, '/api/traces?limit=1');
    const recorded = body.data[0]!;
    assert.equal(recorded.stream, true);
    assert.equal(recorded.output_tokens, 12);
    assert.ok(recorded.ttft_ms !== null && recorded.ttft_ms >= 0);
    assert.equal((recorded.response_body as { message: { content: string } }).message.content, text);
  });

  test('tool calls, non-streamed and streamed as deltas', async () => {
    const plain = await openai.chat.completions.create({
      model: 'small',
      messages: [{ role: 'user', content: 'What is the weather in Izmir?' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    const call = plain.choices[0]?.message.tool_calls?.[0];
    assert.equal(plain.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(typeof JSON.parse(call.function.arguments).city, 'string');

    const stream = await openai.chat.completions.create({
      model: 'small',
      messages: [{ role: 'user', content: 'What is the weather in Izmir?' }],
      tools: [weatherTool],
      tool_choice: 'required',
      stream: true,
    });
    const calls = new Map<number, { name: string; arguments: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const entry = calls.get(delta.index) ?? { name: '', arguments: '' };
        entry.name += delta.function?.name ?? '';
        entry.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, entry);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls.get(0)?.name, 'get_weather');
    assert.equal(typeof JSON.parse(calls.get(0)!.arguments).city, 'string');
  });

  test('response_format json_schema gives parseable JSON', async () => {
    const completion = await openai.chat.completions.create({
      model: 'small',
      messages: [{ role: 'user', content: 'Describe a city' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city', schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'number' } } } },
      },
      seed: 3,
      temperature: 0,
      top_p: 1,
      stop: ['\n\n'],
      max_completion_tokens: 50,
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? '') as { name: unknown; population: unknown };
    assert.equal(typeof parsed.name, 'string');
    assert.equal(typeof parsed.population, 'number');
  });

  test('embeddings: float and base64, string and array input', async () => {
    const single = await openai.embeddings.create({ model: 'embed', input: 'hello', encoding_format: 'float' });
    assert.equal(single.data.length, 1);
    const vector = single.data[0]!.embedding;
    assert.ok(vector.length > 0);
    const many = await openai.embeddings.create({ model: 'embed', input: ['hello', 'world'], encoding_format: 'base64' });
    assert.equal(many.data.length, 2);
    // Asked for explicitly, base64 comes back as the string OpenAI sends: little-endian float32.
    const encoded = many.data[0]!.embedding as unknown as string;
    const bytes = Buffer.from(encoded, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    assert.equal(decoded.length, vector.length);
    decoded.forEach((value, index) => assert.ok(Math.abs(value - vector[index]!) < 1e-6));
    assert.ok(many.usage.prompt_tokens > 0);
  });

  test('models: the list the key may use', async () => {
    const models = await openai.models.list();
    const names = models.data.map((model) => model.id).sort();
    assert.deepEqual(names, ['down', 'embed', 'nonsense', 'small', 'sonnet']);
  });

  test('errors reach the client with OpenAI’s statuses and are traced', async () => {
    let ghostTraceId: string | null = null;
    await assert.rejects(
      openai.chat.completions.create({ model: 'ghost', messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal(error.code, 'model_not_found');
        ghostTraceId = error.headers?.get('x-fener-trace-id') ?? null;
        return true;
      },
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'small', messages: [{ role: 'wizard', content: 'x' }] as never }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && String(error.param).startsWith('messages'),
    );
    await assert.rejects(
      openai.chat.completions.create({
        model: 'small',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: 'not a schema' as never } }],
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && String(error.param).startsWith('tools'),
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'down', messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.status, 503);
        return true;
      },
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'nonsense', messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.status, 502);
        return true;
      },
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'embed', messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => error instanceof OpenAI.BadRequestError,
    );
    await flushTraces(server);
    const { body } = await adminGet<{ data: TraceView[] }>(server, '/api/traces?status=error&limit=50');
    const codes = body.data.map((item) => `${item.model}:${item.http_status}`);
    assert.ok(codes.includes('ghost:404'), codes.join());
    assert.match(String(ghostTraceId), /^trc_/, 'an error answer names its trace');
    const ghost = body.data.find((item) => item.id === ghostTraceId);
    assert.equal(ghost?.model, 'ghost', 'the header names the trace that recorded the failure');
    assert.ok(codes.includes('down:503'), codes.join());
    assert.ok(codes.includes('nonsense:502'), codes.join());
    const healthy = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'still there?' }] });
    assert.ok(healthy.choices[0]?.message.content);
  });

  test('Anthropic SDK: a message, and a streamed tool-use call, through an OpenAI-compatible model', async () => {
    const message = await anthropic.messages.create({
      model: 'small',
      max_tokens: 64,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.content[0]?.type, 'text');
    assert.equal(message.usage.output_tokens, 12);

    const stream = anthropic.messages.stream({
      model: 'small',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Weather in Ankara?' }],
      tools: [
        {
          name: 'get_weather',
          description: 'weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      tool_choice: { type: 'any' },
    });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const toolUse = final.content.find((block) => block.type === 'tool_use');
    assert.ok(toolUse && toolUse.type === 'tool_use');
    assert.equal(toolUse.name, 'get_weather');
    assert.equal(typeof (toolUse.input as { city: unknown }).city, 'string');
  });

  test('Anthropic upstream reached through the OpenAI client (translation both ways)', async () => {
    const completion = await openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Bursa?' },
      ],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    const stream = await openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.ok(text.length > 0);
    assert.equal(usage?.completion_tokens, 12);
  });

  test('a client that leaves mid-stream stops the upstream, and the trace says it was cancelled', async () => {
    mock.configure({ tokensPerSecond: 20, outputTokens: 200 });
    try {
      const controller = new AbortController();
      const { data: stream, response } = await openai.chat.completions
        .create(
          { model: 'small', messages: [{ role: 'user', content: 'a long answer please' }], stream: true },
          { signal: controller.signal },
        )
        .withResponse();
      const traceId = response.headers.get('x-fener-trace-id')!;
      const started = Date.now();
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) {
          controller.abort();
          break;
        }
      }
      let recorded: TraceView | undefined;
      while (!recorded && Date.now() - started < 8000) {
        await flushTraces(server);
        const response = await adminGet<TraceView>(server, `/api/traces/${traceId}`);
        if (response.status === 200) recorded = response.body;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(recorded, 'traced well before the 10 s the full answer would take');
      assert.equal(recorded.status, 'error');
      assert.equal(recorded.error_code, 'cancelled');
      assert.equal(recorded.http_status, 499);
    } finally {
      mock.configure({ tokensPerSecond: 0, outputTokens: 12 });
    }
  });

  test('/metrics is valid Prometheus text with the gateway’s series', async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const samples = parsePrometheus(await response.text());
    const requests = samples.filter((sample) => sample.name === 'fener_requests_total');
    assert.ok(requests.some((sample) => sample.labels.model === 'small' && sample.labels.provider === 'upstream' && sample.value > 0));
    assert.ok(samples.some((sample) => sample.name === 'fener_request_duration_seconds_bucket'));
    assert.ok(samples.some((sample) => sample.name === 'fener_time_to_first_token_seconds_count' && sample.value > 0));
    assert.ok(samples.some((sample) => sample.name === 'fener_cost_usd_total' && sample.value > 0));
    assert.ok(samples.some((sample) => sample.name === 'fener_tokens_total' && sample.labels.direction === 'output'));
  });

  test('every call is in /api/traces, with cursor pagination and filters', async () => {
    await flushTraces(server);
    const seen: TraceView[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: TraceView[]; next_cursor: string | null } } = await adminGet(
        server,
        `/api/traces?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.equal(seen.length, await server.context.store.traces.count());
    assert.ok(seen.length >= 15);
    for (const item of seen.filter((entry) => entry.status === 'ok' && entry.model === 'small')) {
      assert.ok(item.input_tokens > 0, item.id);
      assert.ok(Math.abs(item.cost_usd - expectedCost(item.input_tokens, item.output_tokens)) < 1e-12, item.id);
    }
    const byUser = await adminGet<{ data: TraceView[] }>(server, '/api/traces?user=alice');
    assert.equal(byUser.body.data.length, 1);
    const byMetadata = await adminGet<{ data: TraceView[] }>(
      server,
      `/api/traces?metadata=${encodeURIComponent('{"feature":"greeting"}')}`,
    );
    assert.equal(byMetadata.body.data.length, 1);
    const bad = await adminGet<{ error: { code: string } }>(server, '/api/traces?from=yesterday');
    assert.equal(bad.status, 400);
  });
});
