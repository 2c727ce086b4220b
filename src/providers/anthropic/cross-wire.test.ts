/**
 * Both directions of translation end to end, as the gateway will chain them: an official client →
 * front parser → adapter → recorded upstream stream → stream encoder → back to the client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { OpenAIStreamEncoder, createOpenAICompatibleProvider, parseOpenAIChatBody } from '../openai-compatible/index.js';
import { sseHeaders, startReplayServer } from '../openai-compatible/replay-server.js';
import type { Provider } from '../spec.js';
import { createAnthropicProvider } from './provider.js';
import { AnthropicStreamEncoder, parseAnthropicMessagesBody } from './index.js';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

/** A two-line gateway: one front route over one provider. */
async function withGateway(
  route: (body: unknown, response: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => void route(JSON.parse(Buffer.concat(chunks).toString('utf8')), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const providerSettings = { headers: {}, timeoutMs: 5_000, maxConnections: 2 };

test('OpenAI client → Anthropic upstream (streamed tool_use) → OpenAI chunks', async () => {
  const upstream = await startReplayServer(() => ({ headers: sseHeaders, body: read('./fixtures/stream-tool-use.sse'), chunkBytes: 100 }));
  const provider: Provider = createAnthropicProvider({
    id: 'claude',
    baseUrl: `${upstream.url}/v1`,
    defaultMaxTokens: 1024,
    ...providerSettings,
  });
  const gateway = await withGateway(async (body, response) => {
    const parsed = parseOpenAIChatBody(body);
    const encoder = new OpenAIStreamEncoder({ model: parsed.request.model, includeUsage: parsed.includeUsage });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const event of provider.chatStream({ ...parsed.request, model: 'claude-sonnet-4-20250514' }))
      response.write(encoder.encode(event));
    response.end(encoder.end());
  });
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-x', maxRetries: 0 });
  const completion = await client.chat.completions
    .stream({ model: 'smart', messages: [{ role: 'user', content: 'Weather in SF?' }], stream_options: { include_usage: true } })
    .finalChatCompletion();
  const message = completion.choices[0]?.message;
  assert.equal(message?.content, "Okay, let's check the weather for San Francisco, CA:");
  assert.deepEqual(
    message?.tool_calls?.map((call) => (call.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : [])),
    [
      ['get_weather', { location: 'San Francisco, CA', unit: 'fahrenheit' }],
      ['get_time', {}],
    ],
  );
  assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
  assert.deepEqual(completion.usage, {
    prompt_tokens: 600,
    completion_tokens: 89,
    total_tokens: 689,
    prompt_tokens_details: { cached_tokens: 128 },
  });
  assert.equal((upstream.requests[0]?.body as { max_tokens?: number }).max_tokens, 1024);
  await gateway.close();
  await provider.close();
  await upstream.close();
});

test('Anthropic client → OpenAI upstream (streamed parallel tool calls) → Anthropic events', async () => {
  const upstream = await startReplayServer(() => ({
    headers: sseHeaders,
    body: read('../openai-compatible/fixtures/stream-parallel-tools.sse'),
  }));
  const provider = createOpenAICompatibleProvider({ id: 'openai', type: 'openai', baseUrl: `${upstream.url}/v1`, ...providerSettings });
  const gateway = await withGateway(async (body, response) => {
    const parsed = parseAnthropicMessagesBody(body);
    const encoder = new AnthropicStreamEncoder({ model: parsed.request.model });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const event of provider.chatStream({ ...parsed.request, model: 'gpt-4o' })) response.write(encoder.encode(event));
    response.end(encoder.end());
  });
  const client = new Anthropic({ baseURL: gateway.url, apiKey: 'sk-ant-x', maxRetries: 0 });
  const message = await client.messages
    .stream({ model: 'fast', max_tokens: 100, system: 'Use tools.', messages: [{ role: 'user', content: 'Paris and Tokyo?' }] })
    .finalMessage();
  assert.equal(message.stop_reason, 'tool_use');
  assert.deepEqual(message.content, [
    { type: 'tool_use', id: 'call_Jd1KxCPH3VFNgXz9yZrS1uQk', name: 'get_weather', input: { location: 'Paris' } },
    { type: 'tool_use', id: 'call_Q2wPzJ8mLkV3nB7xT5yRcA1e', name: 'get_weather', input: { location: 'Tokyo' } },
  ]);
  assert.equal(message.usage.input_tokens, 88);
  assert.equal(message.usage.output_tokens, 46);
  const sent = upstream.requests[0]?.body as { messages: unknown; max_completion_tokens?: number };
  assert.deepEqual(sent.messages, [
    { role: 'system', content: 'Use tools.' },
    { role: 'user', content: 'Paris and Tokyo?' },
  ]);
  assert.equal(sent.max_completion_tokens, 100);
  await gateway.close();
  await provider.close();
  await upstream.close();
});
