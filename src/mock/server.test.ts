import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from './index.js';

let provider: MockProvider;

before(async () => {
  provider = await startMockProvider({ port: 0 });
});
after(() => provider.close());

const chat = { model: 'm', messages: [{ role: 'user', content: 'hello' }] };

function post(path: string, body: unknown, server: MockProvider = provider): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

test('url has no /v1 and the port is the one listened on', () => {
  assert.equal(provider.url, `http://127.0.0.1:${provider.port}`);
  assert.ok(provider.port > 0);
});

test('POST /_mock/config starts and stops a burst of 5xx', async () => {
  const server = await startMockProvider({ port: 0 });
  try {
    assert.equal((await post('/v1/chat/completions', chat, server)).status, 200);
    const started = await post('/_mock/config', { failures: { errorRate: 1, errorStatus: 503 } }, server);
    assert.equal(started.status, 200);
    const current = (await started.json()) as { failures: { errorRate: number; errorStatus: number } };
    assert.equal(current.failures.errorStatus, 503);
    for (let i = 0; i < 3; i++) assert.equal((await post('/v1/chat/completions', chat, server)).status, 503);
    await post('/_mock/config', { failures: { errorRate: 0 } }, server);
    assert.equal((await post('/v1/chat/completions', chat, server)).status, 200);
    const stats = (await (await fetch(`${server.url}/_mock/stats`)).json()) as unknown;
    assert.deepEqual(stats, { requests: 5, byPath: { '/v1/chat/completions': 5 }, failuresInjected: 3 });
    assert.deepEqual(server.stats(), stats);
  } finally {
    await server.close();
  }
});

test('invalid run-time options are refused, naming the field', async () => {
  const typo = await post('/_mock/config', { failures: { errorrate: 1 } });
  assert.equal(typo.status, 400);
  assert.match(((await typo.json()) as { error: { message: string } }).error.message, /errorrate/);
  const tooBig = await post('/_mock/config', { failures: { errorRate: 2 } });
  assert.match(((await tooBig.json()) as { error: { message: string } }).error.message, /failures\.errorRate/);
  assert.equal((await post('/_mock/config', '{not json')).status, 400);
  assert.throws(() => provider.configure({ latencyMs: -1 }), /latencyMs/);
  assert.throws(() => provider.configure({ port: 1 }), /port/);
  await assert.rejects(startMockProvider({ port: 0, outputTokens: 1.5 }), /outputTokens/);
});

test('configure() changes answers at run time', async () => {
  const server = await startMockProvider({ port: 0 });
  try {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const before = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    server.configure({ outputTokens: 4, seed: 99 });
    const after = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(before.usage?.completion_tokens, 16);
    assert.equal(after.usage?.completion_tokens, 4);
    assert.ok(!before.choices[0]?.message.content?.startsWith(after.choices[0]?.message.content ?? ''), 'a new seed, new words');
  } finally {
    await server.close();
  }
});

test('the answer depends on the seed', async () => {
  const texts: string[] = [];
  for (const seed of [5, 5, 6]) {
    const server = await startMockProvider({ port: 0, seed });
    try {
      const body = (await (await post('/v1/chat/completions', chat, server)).json()) as {
        choices: { message: { content: string } }[];
      };
      texts.push(body.choices[0]?.message.content ?? '');
    } finally {
      await server.close();
    }
  }
  assert.equal(texts[0], texts[1]);
  assert.notEqual(texts[0], texts[2]);
});

test('unknown routes are 404 in the dialect of their prefix; bad JSON is 400; wrong method is 405', async () => {
  const openai = await post('/v1/nope', {});
  assert.equal(openai.status, 404);
  assert.equal(((await openai.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  const anthropic = await post('/v1/messages/batches', {});
  assert.equal(anthropic.status, 404);
  assert.deepEqual(((await anthropic.json()) as { type: string }).type, 'error');
  const badJson = await post('/v1/chat/completions', '{"model": ');
  assert.equal(badJson.status, 400);
  assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'invalid_json');
  const badAnthropicJson = await post('/v1/messages', '[1,');
  assert.equal(((await badAnthropicJson.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  const notObject = await post('/v1/chat/completions', '42');
  assert.equal(notObject.status, 400);
  const wrongMethod = await fetch(`${provider.url}/v1/chat/completions`);
  assert.equal(wrongMethod.status, 405);
  assert.equal((await fetch(`${provider.url}/healthz`)).status, 200);
});

test('the server survives hostile input and keeps answering', async () => {
  const hostile = [
    '',
    'null',
    '{"model": 1, "messages": "x"}',
    JSON.stringify({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }),
    JSON.stringify({ ...chat, tools: [{ type: 'function', function: { name: 'f', parameters: 'nonsense' } }], tool_choice: 'required' }),
    JSON.stringify({
      ...chat,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'array', items: { $ref: '#' }, minItems: 1e9 } } },
    }),
    JSON.stringify({ model: 'e', input: [] }),
  ];
  for (const body of hostile) {
    const response = await post('/v1/chat/completions', body);
    await response.arrayBuffer();
    assert.ok([200, 400].includes(response.status), `status ${response.status} for ${body}`);
  }
  assert.equal((await post('/v1/chat/completions', chat)).status, 200);
});

test('latencyMs delays non-streamed answers; ttftMs and tokensPerSecond pace streams', async () => {
  const server = await startMockProvider({ port: 0, latencyMs: 150, ttftMs: 150, tokensPerSecond: 100, outputTokens: 10 });
  try {
    let started = performance.now();
    await (await post('/v1/chat/completions', chat, server)).json();
    assert.ok(performance.now() - started >= 140, 'latency applied');

    started = performance.now();
    const response = await post('/v1/chat/completions', { ...chat, stream: true }, server);
    const headersAt = performance.now() - started;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let firstTokenAt = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (firstTokenAt === 0) firstTokenAt = performance.now() - started;
      text += new TextDecoder().decode(value);
    }
    const totalMs = performance.now() - started;
    assert.ok(headersAt < 120, `headers come before the first token (${headersAt} ms)`);
    assert.ok(firstTokenAt >= 140, `first token after ttft (${firstTokenAt} ms)`);
    // 10 tokens at 100/s: the last is due 90 ms after the first.
    assert.ok(totalMs >= 140 + 80, `paced (${totalMs} ms)`);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  } finally {
    await server.close();
  }
});

test('close() ends hanging requests instead of waiting for them', async () => {
  const server = await startMockProvider({ port: 0 });
  const hanging = fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'x-mock-fail': 'timeout' },
    body: JSON.stringify(chat),
  }).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  await server.close();
  assert.ok(performance.now() - started < 1000);
  assert.ok((await hanging) instanceof Error);
});
