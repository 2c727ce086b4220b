import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { decideFailure, parseFailureHeader } from './failures.js';
import { startMockProvider, type MockProvider } from './index.js';
import { defaultOptions } from './options.js';

let provider: MockProvider;
let client: OpenAI;

before(async () => {
  provider = await startMockProvider({ port: 0, failures: { cutAfterTokens: 2 } });
  client = new OpenAI({ baseURL: `${provider.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
after(() => provider.close());

const chat = { model: 'm', messages: [{ role: 'user' as const, content: 'hello' }] };

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The connection ended before the response was complete. */
  cut: boolean;
}

/** A bare node:http POST that reports what arrived, also when the server cuts the connection. */
function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${provider.url}${path}`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', () => undefined);
        response.on('close', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text, cut: !response.complete }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

test('failure bands are laid end to end in a fixed order', () => {
  const failures = {
    ...defaultOptions.failures,
    errorRate: 0.2,
    errorStatus: 502,
    timeoutRate: 0.2,
    resetRate: 0.2,
    cutStreamRate: 0.2,
    malformedRate: 0.1,
  };
  assert.deepEqual(
    [0.1, 0.3, 0.5, 0.7, 0.85, 0.95].map((draw) => decideFailure(draw, failures).kind),
    ['error', 'timeout', 'reset', 'cut', 'malformed', 'none'],
  );
  assert.equal(decideFailure(0.1, failures).status, 502);
  assert.equal(decideFailure(0, defaultOptions.failures).kind, 'none');
  assert.deepEqual(parseFailureHeader('503'), { kind: 'error', status: 503, forced: true });
  assert.deepEqual(parseFailureHeader(' Cut '), { kind: 'cut', status: 0, forced: true });
  assert.equal(parseFailureHeader(undefined), undefined);
  assert.equal(typeof parseFailureHeader('200'), 'string');
  assert.equal(typeof parseFailureHeader('explode'), 'string');
});

test('an injected 503 carries Retry-After and the provider error shape; a 500 has no Retry-After', async () => {
  const server = await startMockProvider({ port: 0, failures: { errorRate: 1, errorStatus: 503, retryAfterSeconds: 2 } });
  try {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await assert.rejects(openai.chat.completions.create(chat), (error: unknown) => {
      assert.ok(error instanceof OpenAI.InternalServerError);
      assert.equal(error.status, 503);
      assert.equal(error.headers?.get('retry-after'), '2');
      assert.equal(error.type, 'server_error');
      return true;
    });
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => error instanceof Anthropic.InternalServerError && error.status === 503,
    );
    const raw = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{}' });
    assert.equal(raw.headers.get('retry-after'), '2');
    assert.deepEqual(await raw.json(), {
      type: 'error',
      error: { type: 'api_error', message: 'Service Unavailable (injected by the Fener mock provider)' },
    });
    const plain = await rawPost('/v1/chat/completions', chat, { 'x-mock-fail': '500' });
    assert.equal(plain.status, 500);
    assert.equal(plain.headers['retry-after'], undefined);
    assert.equal(server.stats().failuresInjected, 3);
  } finally {
    await server.close();
  }
});

test('x-mock-fail: 429 is a rate limit error the client recognises', async () => {
  await assert.rejects(
    client.chat.completions.create(chat, { headers: { 'x-mock-fail': '429' } }),
    (error: unknown) => error instanceof OpenAI.RateLimitError && error.code === 'rate_limit_exceeded',
  );
});

test('timeout: the request is never answered, so the client timeout fires', async () => {
  const impatient = new OpenAI({ baseURL: `${provider.url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 300 });
  const started = Date.now();
  await assert.rejects(
    impatient.chat.completions.create(chat, { headers: { 'x-mock-fail': 'timeout' } }),
    OpenAI.APIConnectionTimeoutError,
  );
  assert.ok(Date.now() - started >= 250, 'the client, not the server, ended the request');
});

test('reset: the socket is destroyed without an answer', async () => {
  await assert.rejects(rawPost('/v1/chat/completions', chat, { 'x-mock-fail': 'reset' }), /socket hang up|ECONNRESET/);
  await assert.rejects(client.chat.completions.create(chat, { headers: { 'x-mock-fail': 'reset' } }), OpenAI.APIConnectionError);
});

test('cut: a stream stops after N tokens, without finish_reason or [DONE]', async () => {
  const response = await rawPost('/v1/chat/completions', { ...chat, stream: true }, { 'x-mock-fail': 'cut' });
  assert.equal(response.status, 200);
  assert.ok(response.cut, 'the connection ended mid-response');
  const data = response.text.split('\n\n').filter((frame) => frame.startsWith('data: '));
  assert.equal(data.length, 3, 'the role chunk and two tokens');
  assert.ok(!response.text.includes('[DONE]'));
  assert.ok(!response.text.includes('"finish_reason":"stop"'));
  const whole = await rawPost('/v1/chat/completions', { ...chat, stream: true });
  assert.ok(!whole.cut && whole.text.endsWith('data: [DONE]\n\n'));

  const stream = await client.chat.completions.create({ ...chat, stream: true }, { headers: { 'x-mock-fail': 'cut' } });
  await assert.rejects(async () => {
    for await (const chunk of stream) assert.ok(chunk);
  });
});

test('cut: an Anthropic stream stops without message_stop', async () => {
  const body = { model: 'c', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'x' }] };
  const response = await rawPost('/v1/messages', body, { 'x-mock-fail': 'cut' });
  assert.ok(response.cut);
  assert.equal(response.text.match(/event: content_block_delta/g)?.length, 2);
  assert.ok(!response.text.includes('message_stop'));
});

test('cut: a drawn cut spares non-streamed requests; a forced one truncates the body', async () => {
  const server = await startMockProvider({ port: 0, failures: { cutStreamRate: 1 } });
  try {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat) });
    assert.equal(response.status, 200);
    assert.equal(typeof (await response.json()), 'object');
    assert.equal(server.stats().failuresInjected, 0);
  } finally {
    await server.close();
  }
  const forced = await rawPost('/v1/chat/completions', chat, { 'x-mock-fail': 'cut' });
  assert.ok(forced.cut);
  assert.ok(forced.text.length > 0);
  assert.throws(() => JSON.parse(forced.text) as unknown, SyntaxError);
});

test('malformed: 200 with invalid JSON, or a stream with a broken data line', async () => {
  const plain = await rawPost('/v1/chat/completions', chat, { 'x-mock-fail': 'malformed' });
  assert.equal(plain.status, 200);
  assert.ok(!plain.cut);
  assert.throws(() => JSON.parse(plain.text) as unknown, SyntaxError);
  await assert.rejects(client.chat.completions.create(chat, { headers: { 'x-mock-fail': 'malformed' } }));

  const streamed = await rawPost('/v1/chat/completions', { ...chat, stream: true }, { 'x-mock-fail': 'malformed' });
  const lines = streamed.text.split('\n\n').filter((frame) => frame.startsWith('data: ') && frame !== 'data: [DONE]');
  const broken = lines.filter((frame) => {
    try {
      JSON.parse(frame.slice('data: '.length));
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(broken.length, 1);
  const stream = await client.chat.completions.create({ ...chat, stream: true }, { headers: { 'x-mock-fail': 'malformed' } });
  await assert.rejects(async () => {
    for await (const chunk of stream) assert.ok(chunk);
  });
});

test('an unknown x-mock-fail value is a 400, not a silent success', async () => {
  const response = await rawPost('/v1/chat/completions', chat, { 'x-mock-fail': 'explode' });
  assert.equal(response.status, 400);
  assert.match(response.text, /x-mock-fail/);
});

async function statusSequence(seed: number, count: number): Promise<number[]> {
  const server = await startMockProvider({ port: 0, seed, failures: { errorRate: 0.5, errorStatus: 502 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat) });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return statuses;
  } finally {
    await server.close();
  }
}

test('the same seed replays the same failure sequence; another seed gives another', async () => {
  const first = await statusSequence(11, 24);
  const again = await statusSequence(11, 24);
  const other = await statusSequence(12, 24);
  assert.deepEqual(again, first);
  assert.ok(first.includes(200) && first.includes(502), `a mix of outcomes: ${first.join(',')}`);
  assert.notDeepEqual(other, first);
});
