import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FenerError } from '../../core/index.js';
import { sseHeaders, startReplayServer } from '../openai-compatible/replay-server.js';
import type { Reply, ReplyHandler, ReplayServer } from '../openai-compatible/replay-server.js';
import type { ChatRequest, ChatStreamEvent, Provider } from '../spec.js';
import { createAnthropicProvider } from './provider.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const hello: ChatRequest = { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'Hi' }] };

async function withUpstream(handler: ReplyHandler, run: (provider: Provider, server: ReplayServer) => Promise<void>): Promise<void> {
  const server = await startReplayServer(handler);
  const provider = createAnthropicProvider({
    id: 'claude',
    baseUrl: `${server.url}/v1`,
    apiKey: 'sk-ant-test',
    headers: {},
    timeoutMs: 5_000,
    maxConnections: 2,
    defaultMaxTokens: 4096,
  });
  try {
    await run(provider, server);
  } finally {
    await provider.close();
    await server.close();
  }
}

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

test('chat: a recorded message, with cache reads counted in input and as cached', async () => {
  await withUpstream(
    () => ({ body: fixture('message.json') }),
    async (provider, server) => {
      const result = await provider.chat(hello);
      assert.equal(result.id, 'msg_01XFDUDYJgAACzvnptvVoYEL');
      assert.equal(result.model, 'claude-sonnet-4-20250514');
      assert.deepEqual(result.message, { role: 'assistant', content: 'The capital of France is Paris.' });
      assert.equal(result.finish_reason, 'stop');
      assert.deepEqual(result.usage, { input_tokens: 2062, output_tokens: 10, cached_input_tokens: 2048 });
      const sent = server.requests[0]!;
      assert.equal(sent.path, '/v1/messages');
      assert.equal(sent.headers['x-api-key'], 'sk-ant-test');
      assert.equal(sent.headers['anthropic-version'], '2023-06-01');
      assert.equal(sent.headers.authorization, undefined);
      assert.deepEqual(sent.body, {
        model: hello.model,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      });
    },
  );
});

test('chat: tool_use blocks become tool calls with JSON arguments', async () => {
  await withUpstream(
    () => ({ body: fixture('message-tool-use.json') }),
    async (provider) => {
      const result = await provider.chat(hello);
      assert.equal(result.finish_reason, 'tool_calls');
      assert.equal(result.message.content, "I'll check the current weather in San Francisco for you.");
      assert.deepEqual(result.message.tool_calls, [
        {
          id: 'toolu_01A09q90qw90lq917835lq9',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
        },
      ]);
    },
  );
});

test('stream: a recorded text answer, in small chunks, ends with usage then finish', async () => {
  await withUpstream(
    () => ({ headers: sseHeaders, body: fixture('stream-text.sse'), chunkBytes: 29 }),
    async (provider, server) => {
      const events = await collect(provider.chatStream(hello));
      assert.equal(events[0]?.type, 'response-start');
      assert.deepEqual(events.slice(1), [
        { type: 'text-delta', text: 'Hello' },
        { type: 'text-delta', text: '! How can I help you today? ☀️' },
        { type: 'usage', usage: { input_tokens: 25, output_tokens: 15, cached_input_tokens: 0 } },
        { type: 'finish', finish_reason: 'stop' },
      ]);
      assert.equal((server.requests[0]!.body as { stream?: boolean }).stream, true);
    },
  );
});

test('stream: tool_use blocks are numbered as tool calls, and a tool without input gets "{}"', async () => {
  await withUpstream(
    () => ({ headers: sseHeaders, body: fixture('stream-tool-use.sse').replaceAll('\n', '\r\n'), chunkBytes: 64 }),
    async (provider) => {
      const events = await collect(provider.chatStream(hello));
      assert.deepEqual(events.slice(1), [
        { type: 'text-delta', text: 'Okay' },
        { type: 'text-delta', text: ", let's check the weather for San Francisco, CA:" },
        { type: 'tool-call-start', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, arguments: '{"location":' },
        { type: 'tool-call-delta', index: 0, arguments: ' "San Francisc' },
        { type: 'tool-call-delta', index: 0, arguments: 'o, CA", "unit": "fah' },
        { type: 'tool-call-delta', index: 0, arguments: 'renheit"}' },
        { type: 'tool-call-start', index: 1, id: 'toolu_01VnZ7bLqDq8oYxM2sK4pTgC', name: 'get_time' },
        { type: 'tool-call-delta', index: 1, arguments: '{}' },
        { type: 'usage', usage: { input_tokens: 600, output_tokens: 89, cached_input_tokens: 128 } },
        { type: 'finish', finish_reason: 'tool_calls' },
      ]);
    },
  );
});

test('stream: an error event mid-stream throws after the events before it', async () => {
  await withUpstream(
    () => ({ headers: sseHeaders, body: fixture('stream-overloaded.sse') }),
    async (provider) => {
      const seen: ChatStreamEvent[] = [];
      await assert.rejects(
        (async () => {
          for await (const event of provider.chatStream(hello)) seen.push(event);
        })(),
        { name: 'FenerError', code: 'upstream_unavailable', message: /Overloaded/ },
      );
      assert.deepEqual(seen[1], { type: 'text-delta', text: 'Once upon' });
    },
  );
});

test('stream: a cut or unfinished stream throws, never ends quietly', async () => {
  const unfinished = fixture('stream-text.sse').split('\n\n').slice(0, 5).join('\n\n') + '\n\n';
  const replies: Reply[] = [
    { headers: sseHeaders, body: fixture('stream-text.sse'), cutAfterBytes: 700 },
    { headers: sseHeaders, body: unfinished },
  ];
  for (const reply of replies) {
    await withUpstream(
      () => reply,
      async (provider) => {
        await assert.rejects(collect(provider.chatStream(hello)), { name: 'FenerError', code: 'upstream_error', upstreamStatus: 200 });
      },
    );
  }
});

const errorCases = [
  { status: 529, file: 'error-overloaded.json', code: 'upstream_unavailable', says: /Overloaded/ },
  { status: 400, file: 'error-prompt-too-long.json', code: 'context_length_exceeded', says: /prompt is too long/ },
  { status: 401, file: 'error-authentication.json', code: 'upstream_error', says: /credentials.*invalid x-api-key/ },
  { status: 429, file: 'error-rate-limit.json', code: 'rate_limited', says: /rate limit/ },
  { status: 404, file: 'error-not-found.json', code: 'model_not_found', says: /claude-opus-9/ },
] as const;

for (const { status, file, code, says } of errorCases) {
  test(`Anthropic HTTP ${status} (${file}) → ${code}`, async () => {
    await withUpstream(
      () => ({ status, headers: { 'retry-after': '3' }, body: fixture(file) }),
      async (provider) => {
        await assert.rejects(provider.chat(hello), (error: unknown) => {
          assert.ok(error instanceof FenerError);
          assert.equal(error.code, code);
          assert.equal(error.upstreamStatus, status);
          assert.match(error.message, says);
          if (status === 429) assert.equal(error.retryAfterSeconds, 3);
          return true;
        });
        await assert.rejects(collect(provider.chatStream(hello)), { code });
      },
    );
  });
}

test('embeddings are an invalid_request: Anthropic has none', async () => {
  await withUpstream(
    () => ({ body: '{}' }),
    async (provider, server) => {
      await assert.rejects(provider.embed({ model: 'claude', input: ['x'] }), { code: 'invalid_request', message: /no embeddings/ });
      assert.equal(server.requests.length, 0);
    },
  );
});
