import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ChatRequest, ChatStreamEvent, Provider } from '../spec.js';
import { createOpenAICompatibleProvider } from './provider.js';
import type { OpenAICompatibleSettings } from './provider.js';
import { sseHeaders, startReplayServer } from './replay-server.js';
import type { ReplyHandler, ReplayServer } from './replay-server.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

async function withUpstream(
  handler: ReplyHandler,
  run: (provider: Provider, server: ReplayServer) => Promise<void>,
  settings: Partial<OpenAICompatibleSettings> = {},
): Promise<void> {
  const server = await startReplayServer(handler);
  const provider = createOpenAICompatibleProvider({
    id: 'test',
    type: 'openai-compatible',
    baseUrl: `${server.url}/v1`,
    apiKey: 'sk-test',
    headers: { 'x-team': 'fener' },
    timeoutMs: 5_000,
    maxConnections: 4,
    ...settings,
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

const hello: ChatRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'What is the capital of France?' }] };

test('chat: a recorded completion becomes a ChatResult with cached tokens', async () => {
  await withUpstream(
    () => ({ body: fixture('chat-completion.json') }),
    async (provider, server) => {
      const result = await provider.chat({ ...hello, max_tokens: 64, stop: ['\n\n'] });
      assert.deepEqual(result, {
        id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
        model: 'gpt-4o-2024-08-06',
        created: 1741570283,
        message: { role: 'assistant', content: 'The capital of France is Paris.' },
        finish_reason: 'stop',
        usage: { input_tokens: 1117, output_tokens: 8, cached_input_tokens: 1024 },
        system_fingerprint: 'fp_fc9f1d7035',
      });
      const sent = server.requests[0]!;
      assert.equal(sent.path, '/v1/chat/completions');
      assert.equal(sent.headers.authorization, 'Bearer sk-test');
      assert.equal(sent.headers['x-team'], 'fener');
      assert.deepEqual(sent.body, { ...hello, max_tokens: 64, stop: ['\n\n'] });
    },
  );
});

test('chat: tool calls come back as spec tool calls', async () => {
  await withUpstream(
    () => ({ body: fixture('chat-completion-tool-calls.json') }),
    async (provider) => {
      const result = await provider.chat(hello);
      assert.equal(result.finish_reason, 'tool_calls');
      assert.equal(result.message.content, null);
      assert.deepEqual(result.message.tool_calls, [
        {
          id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' },
        },
      ]);
    },
  );
});

test('the OpenAI preset sends max_completion_tokens and extra fields; compatible servers get max_tokens and no developer role', async () => {
  const request: ChatRequest = {
    model: 'm',
    messages: [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ],
    max_tokens: 32,
    extra: { logprobs: true, top_logprobs: 2 },
  };
  await withUpstream(
    () => ({ body: fixture('chat-completion.json') }),
    async (provider, server) => {
      await provider.chat(request);
      const body = server.requests[0]!.body as Record<string, unknown>;
      assert.equal(body.max_completion_tokens, 32);
      assert.equal(body.max_tokens, undefined);
      assert.equal(body.logprobs, true);
      assert.deepEqual(body.messages, request.messages);
    },
    { type: 'openai' },
  );
  await withUpstream(
    () => ({ body: fixture('chat-completion.json') }),
    async (provider, server) => {
      await provider.chat(request);
      const body = server.requests[0]!.body as Record<string, unknown>;
      assert.equal(body.max_tokens, 32);
      assert.equal(body.max_completion_tokens, undefined);
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ]);
      assert.equal(server.requests[0]!.headers.authorization, undefined);
    },
    { apiKey: undefined },
  );
});

test('stream: a recorded text answer, split in small chunks, gives events with usage before finish', async () => {
  await withUpstream(
    () => ({ headers: sseHeaders, body: fixture('stream-text.sse'), chunkBytes: 37 }),
    async (provider, server) => {
      const events = await collect(provider.chatStream(hello));
      assert.deepEqual(events, [
        { type: 'response-start', id: 'chatcmpl-BAbJ7kV0vq3m3xQJ6DqNf2y9Ls5tz', model: 'gpt-4o-mini-2024-07-18', created: 1741601234 },
        { type: 'text-delta', text: 'Hello' },
        { type: 'text-delta', text: '! How' },
        { type: 'text-delta', text: ' can I help' },
        { type: 'text-delta', text: ' you today? ☀️' },
        { type: 'usage', usage: { input_tokens: 19, output_tokens: 10, cached_input_tokens: 0 } },
        { type: 'finish', finish_reason: 'stop' },
      ]);
      const body = server.requests[0]!.body as Record<string, unknown>;
      assert.equal(body.stream, true);
      assert.deepEqual(body.stream_options, { include_usage: true });
      assert.equal(server.requests[0]!.headers.accept, 'text/event-stream');
    },
  );
});

test('stream: parallel tool calls give a start per call, then its argument deltas', async () => {
  await withUpstream(
    () => ({ headers: sseHeaders, body: fixture('stream-parallel-tools.sse').replaceAll('\n', '\r\n') }),
    async (provider) => {
      const events = await collect(provider.chatStream(hello));
      assert.deepEqual(events.slice(1), [
        { type: 'tool-call-start', index: 0, id: 'call_Jd1KxCPH3VFNgXz9yZrS1uQk', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, arguments: '{"lo' },
        { type: 'tool-call-delta', index: 0, arguments: 'cation": "Paris"}' },
        { type: 'tool-call-start', index: 1, id: 'call_Q2wPzJ8mLkV3nB7xT5yRcA1e', name: 'get_weather' },
        { type: 'tool-call-delta', index: 1, arguments: '{"location": ' },
        { type: 'tool-call-delta', index: 1, arguments: '"Tokyo"}' },
        { type: 'usage', usage: { input_tokens: 88, output_tokens: 46, cached_input_tokens: 0 } },
        { type: 'finish', finish_reason: 'tool_calls' },
      ]);
    },
  );
});

test('stream: a server that sends no usage chunk still ends with finish at [DONE]', async () => {
  const body = fixture('stream-text.sse')
    .split('\n\n')
    .filter((frame) => !frame.includes('"choices":[]'))
    .join('\n\n');
  await withUpstream(
    () => ({ headers: sseHeaders, body }),
    async (provider) => {
      const events = await collect(provider.chatStream(hello));
      assert.deepEqual(events.at(-1), { type: 'finish', finish_reason: 'stop' });
      assert.equal(
        events.some((event) => event.type === 'usage'),
        false,
      );
    },
  );
});

test('embeddings: floats, in input order, with usage', async () => {
  await withUpstream(
    () => ({ body: fixture('embeddings.json') }),
    async (provider, server) => {
      const result = await provider.embed({ model: 'text-embedding-3-small', input: ['hello', 'world'], dimensions: 4 });
      assert.deepEqual(result, {
        model: 'text-embedding-3-small',
        embeddings: [
          [-0.006929283, -0.005336422, 0.024047505, -0.01242155],
          [0.0023064255, -0.009327292, 0.015797347, -0.0077780345],
        ],
        usage: { input_tokens: 6 },
      });
      assert.equal(server.requests[0]!.path, '/v1/embeddings');
      assert.deepEqual(server.requests[0]!.body, {
        model: 'text-embedding-3-small',
        input: ['hello', 'world'],
        encoding_format: 'float',
        dimensions: 4,
      });
    },
  );
});

test('connections are kept alive and reused, streamed or not', async () => {
  await withUpstream(
    (request) =>
      (request.body as { stream?: boolean }).stream
        ? { headers: sseHeaders, body: fixture('stream-text.sse') }
        : { body: fixture('chat-completion.json') },
    async (provider, server) => {
      // undici hands a connection back to the pool a tick after the body ends; without the wait a
      // back-to-back request rightly opens a second connection.
      const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < 3; i++) {
        await provider.chat(hello);
        await tick();
        await collect(provider.chatStream(hello));
        await tick();
      }
      // A consumer that stops at `finish` must not cost a connection either.
      for await (const event of provider.chatStream(hello)) if (event.type === 'finish') break;
      await tick();
      await provider.chat(hello);
      assert.equal(server.requests.length, 8);
      assert.equal(server.connections(), 1);
    },
  );
});

test('the caller signal aborts the upstream request', async () => {
  await withUpstream(
    () => ({ hang: true }),
    async (provider) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(provider.chat(hello, { signal: controller.signal }), {
        name: 'FenerError',
        code: 'upstream_error',
        retryable: false,
      });
      const timeout = AbortSignal.timeout(50);
      await assert.rejects(collect(provider.chatStream(hello, { signal: timeout })), { code: 'upstream_timeout' });
    },
  );
});

test('a consumer that breaks early releases the upstream stream', async () => {
  await withUpstream(
    () => ({ headers: sseHeaders, body: fixture('stream-text.sse'), chunkBytes: 50 }),
    async (provider) => {
      for await (const event of provider.chatStream(hello)) if (event.type === 'text-delta') break;
      const result = await collect(provider.chatStream(hello));
      assert.equal(result.at(-1)?.type, 'finish');
    },
  );
});
