import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FenerError } from '../core/index.js';
import { PromptClient } from './prompts.js';

function body(version: number) {
  return {
    name: 'greet',
    version,
    labels: ['production'],
    content_hash: `sha256:${version}`,
    messages: [{ role: 'user', content: `v${version}: Hello {{name}}` }],
    variables: { name: { type: 'string', required: true } },
    parameters: { temperature: 0.1 },
    tools: [],
  };
}

/** A fake server: answers with `version` (or fails) and counts calls. */
function fakeServer() {
  const server = { calls: 0, version: 1, fail: false, urls: [] as string[] };
  const fetcher = (async (url: string | URL | Request) => {
    server.calls++;
    server.urls.push(String(url));
    if (server.fail) throw new Error('connection refused');
    return new Response(JSON.stringify(body(server.version)), { status: 200 });
  }) as typeof fetch;
  return { server, fetcher };
}

test('fresh from the cache, stale served while one background refresh runs, refreshed value next', async () => {
  const { server, fetcher } = fakeServer();
  let now = 0;
  const client = new PromptClient({ baseUrl: 'http://fener', apiKey: 'k', ttlMs: 100, staleMs: 1000, fetch: fetcher, now: () => now });
  const [a, b] = await Promise.all([client.get('greet'), client.get('greet')]);
  assert.equal(server.calls, 1, 'concurrent misses share one fetch');
  assert.equal(a, b);
  assert.equal(server.urls[0], 'http://fener/api/prompts/greet/labels/production');
  now = 50;
  await client.get('greet');
  assert.equal(server.calls, 1, 'fresh');
  server.version = 2;
  now = 150;
  assert.equal((await client.get('greet')).version, 1, 'stale is served at once');
  assert.equal((await client.get('greet')).version, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(server.calls, 2, 'one background refresh');
  assert.equal((await client.get('greet')).version, 2);
});

test('a failed refresh keeps the stale value; past the stale window the caller waits and sees the error', async () => {
  const { server, fetcher } = fakeServer();
  let now = 0;
  const errors: unknown[] = [];
  const client = new PromptClient({
    baseUrl: 'http://fener',
    apiKey: 'k',
    ttlMs: 100,
    staleMs: 100,
    fetch: fetcher,
    now: () => now,
    onError: (error) => errors.push(error),
  });
  await client.get('greet');
  server.fail = true;
  now = 150;
  assert.equal((await client.get('greet')).version, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(errors.length, 1);
  assert.equal((await client.get('greet')).version, 1, 'still the stale value');
  now = 250;
  await assert.rejects(client.get('greet'), /connection refused/);
});

test('max entries evicts the least recently used; versions and labels are cached apart', async () => {
  const { server, fetcher } = fakeServer();
  const client = new PromptClient({ baseUrl: 'http://fener', apiKey: 'k', maxEntries: 2, fetch: fetcher });
  await client.get('greet', { label: 'production' });
  await client.get('greet', { version: 1 });
  await client.get('greet', { label: 'production' });
  await client.get('greet', { label: 'staging' }); // evicts version 1
  assert.equal(server.calls, 3);
  await client.get('greet', { label: 'production' });
  assert.equal(server.calls, 3);
  await client.get('greet', { version: 1 });
  assert.equal(server.calls, 4);
  assert.match(server.urls[1] ?? '', /\/versions\/1$/);
});

test('render checks typed variables with the same rules as the server', async () => {
  const { fetcher } = fakeServer();
  const prompt = await new PromptClient({ baseUrl: 'http://fener', apiKey: 'k', fetch: fetcher }).get('greet');
  assert.deepEqual(prompt.render({ name: 'Ada' }).messages, [{ role: 'user', content: 'v1: Hello Ada' }]);
  assert.throws(
    () => prompt.render({}),
    (error: unknown) => error instanceof FenerError && error.param === 'variables.name',
  );
  assert.throws(() => prompt.render({ name: 'Ada', extra: 1 }), /unknown variable "extra"/);
  assert.throws(() => prompt.render({ name: 3 }), /must be a string/);
});
