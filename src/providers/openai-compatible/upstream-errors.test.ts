import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FenerError } from '../../core/index.js';
import type { ChatRequest, ChatStreamEvent, Provider } from '../spec.js';
import { createOpenAICompatibleProvider } from './provider.js';
import { sseHeaders, startReplayServer } from './replay-server.js';
import type { Reply } from './replay-server.js';
import { retryAfterSeconds, statusError } from './upstream-errors.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const hello: ChatRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

function providerAt(baseUrl: string, timeoutMs = 5_000): Provider {
  return createOpenAICompatibleProvider({ id: 'up', type: 'openai', baseUrl, headers: {}, timeoutMs, maxConnections: 2 });
}

async function drain(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The error a chat call (or a stream, when `stream`) fails with, for one upstream reply. */
async function failureFor(reply: Reply, options: { stream?: boolean; timeoutMs?: number } = {}): Promise<FenerError> {
  const server = await startReplayServer(() => reply);
  const provider = providerAt(`${server.url}/v1`, options.timeoutMs);
  try {
    await (options.stream ? drain(provider.chatStream(hello)) : provider.chat(hello));
  } catch (error) {
    assert.ok(error instanceof FenerError, `expected a FenerError, got ${String(error)}`);
    return error;
  } finally {
    await provider.close();
    await server.close();
  }
  assert.fail('the call should have failed');
}

const statusCases = [
  { status: 400, file: 'error-invalid-request.json', code: 'invalid_request', retryable: false, says: "Invalid value for 'temperature'" },
  { status: 400, file: 'error-context-length.json', code: 'context_length_exceeded', retryable: false, says: 'maximum context length' },
  { status: 404, file: 'error-model-not-found.json', code: 'model_not_found', retryable: false, says: 'gpt-4o-turbo-max' },
  { status: 413, file: 'error-payload-too-large.json', code: 'payload_too_large', retryable: false, says: 'too large' },
  { status: 422, file: 'error-invalid-request.json', code: 'invalid_request', retryable: false, says: 'temperature' },
  { status: 500, file: 'error-server.json', code: 'upstream_error', retryable: true, says: 'had an error' },
  { status: 502, file: 'error-server.json', code: 'upstream_error', retryable: true, says: 'had an error' },
  { status: 503, file: 'error-overloaded.json', code: 'upstream_unavailable', retryable: true, says: 'overloaded' },
  { status: 504, file: 'error-server.json', code: 'upstream_timeout', retryable: true, says: 'HTTP 504' },
] as const;

for (const { status, file, code, retryable, says } of statusCases) {
  test(`HTTP ${status} (${file}) → ${code}`, async () => {
    const error = await failureFor({ status, body: fixture(file) });
    assert.equal(error.code, code);
    assert.equal(error.retryable, retryable);
    assert.equal(error.upstreamStatus, status);
    assert.match(error.message, new RegExp(says));
    assert.match(error.message, /provider "up"/);
  });
}

test('401 and 403 are the provider credentials failing, never a 401 for our client, and the key is masked', async () => {
  for (const status of [401, 403]) {
    const error = await failureFor({ status, body: fixture('error-invalid-api-key.json') });
    assert.equal(error.code, 'upstream_error');
    assert.equal(error.status, 502);
    assert.equal(error.upstreamStatus, status);
    assert.match(error.message, /rejected the provider's credentials/);
    assert.doesNotMatch(error.message, /x9Qa/);
  }
});

test('429 is rate_limited, retryable, with Retry-After seconds', async () => {
  const error = await failureFor({ status: 429, headers: { 'retry-after': '7' }, body: fixture('error-rate-limit.json') });
  assert.equal(error.code, 'rate_limited');
  assert.equal(error.retryable, true);
  assert.equal(error.retryAfterSeconds, 7);
  assert.match(error.message, /Rate limit reached/);
  assert.equal(retryAfterSeconds({ 'retry-after-ms': '1200' }), 2);
  assert.ok((retryAfterSeconds({ 'retry-after': new Date(Date.now() + 30_000).toUTCString() }) ?? 0) > 25);
});

test('a non-JSON error body is quoted as it came', async () => {
  const error = await failureFor({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' });
  assert.equal(error.code, 'upstream_error');
  assert.match(error.message, /Bad Gateway/);
});

test('garbage instead of JSON, or the wrong shape, is an upstream_error', async () => {
  const garbage = await failureFor({ body: '{"id": "chatcmpl-1", "choi' });
  assert.equal(garbage.code, 'upstream_error');
  assert.equal(garbage.upstreamStatus, 200);
  assert.match(garbage.message, /not JSON/);
  const shape = await failureFor({ body: '{"id": "chatcmpl-1", "choices": []}' });
  assert.equal(shape.code, 'upstream_error');
  assert.match(shape.message, /choices/);
});

test('connection refused and reset are upstream_unavailable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const provider = providerAt(`http://127.0.0.1:${port}/v1`);
  await assert.rejects(provider.chat(hello), { code: 'upstream_unavailable', retryable: true, message: /ECONNREFUSED/ });
  await assert.rejects(drain(provider.chatStream(hello)), { code: 'upstream_unavailable' });
  await provider.close();
  const reset = await failureFor({ reset: true });
  assert.equal(reset.code, 'upstream_unavailable');
});

test('our own timeout aborts the request and is upstream_timeout', async () => {
  const started = Date.now();
  const error = await failureFor({ hang: true }, { timeoutMs: 100 });
  assert.equal(error.code, 'upstream_timeout');
  assert.match(error.message, /100 ms/);
  assert.ok(Date.now() - started < 2_000);
  const stalled = await failureFor(
    { headers: sseHeaders, body: fixture('stream-text.sse'), stallAfterBytes: 600 },
    { stream: true, timeoutMs: 150 },
  );
  assert.equal(stalled.code, 'upstream_timeout');
});

test('a stream cut mid-way throws from the iterator after the events it did send', async () => {
  const server = await startReplayServer(() => ({ headers: sseHeaders, body: fixture('stream-text.sse'), cutAfterBytes: 900 }));
  const provider = providerAt(`${server.url}/v1`);
  const seen: ChatStreamEvent[] = [];
  await assert.rejects(
    (async () => {
      for await (const event of provider.chatStream(hello)) seen.push(event);
    })(),
    { name: 'FenerError', code: 'upstream_error', upstreamStatus: 200, retryable: true, message: /broke off its response/ },
  );
  assert.equal(seen[0]?.type, 'response-start');
  assert.equal(
    seen.some((event) => event.type === 'finish'),
    false,
  );
  await provider.close();
  await server.close();
});

test('a stream that ends cleanly but without a finish is an upstream_error', async () => {
  const unfinished = fixture('stream-text.sse').split('\n\n').slice(0, 3).join('\n\n') + '\n\ndata: [DONE]\n\n';
  const error = await failureFor({ headers: sseHeaders, body: unfinished }, { stream: true });
  assert.equal(error.code, 'upstream_error');
  assert.equal(error.upstreamStatus, 200);
  assert.match(error.message, /before the answer finished/);
  const noDone = fixture('stream-text.sse').split('\n\n').slice(0, 2).join('\n\n');
  assert.equal((await failureFor({ headers: sseHeaders, body: noDone }, { stream: true })).code, 'upstream_error');
});

test('a broken data line or an error event inside a 200 stream is thrown', async () => {
  const broken = 'data: {"id":"c","choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"id":"c","choi\n\n';
  const garbage = await failureFor({ headers: sseHeaders, body: broken }, { stream: true });
  assert.equal(garbage.code, 'upstream_error');
  assert.match(garbage.message, /not JSON/);
  const midStream =
    'data: {"id":"c","choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}\n\n';
  const error = await failureFor({ headers: sseHeaders, body: midStream }, { stream: true });
  assert.equal(error.code, 'rate_limited');
  assert.match(error.message, /Rate limit reached/);
});

test('errors before the first event are thrown from the first next()', async () => {
  const server = await startReplayServer(() => ({ status: 404, body: fixture('error-model-not-found.json') }));
  const provider = providerAt(`${server.url}/v1`);
  const iterator = provider.chatStream(hello)[Symbol.asyncIterator]();
  await assert.rejects(iterator.next(), { code: 'model_not_found' });
  await provider.close();
  await server.close();
});

test('Anthropic-style bodies and 529 map through the same function', () => {
  const detail = { message: 'Overloaded', type: 'overloaded_error', code: undefined };
  assert.equal(statusError({ status: 529, detail, upstream: 'x' }).code, 'upstream_unavailable');
  const long = { message: 'prompt is too long: 208310 tokens > 200000 maximum', type: 'invalid_request_error', code: undefined };
  assert.equal(statusError({ status: 400, detail: long, upstream: 'x' }).code, 'context_length_exceeded');
});
