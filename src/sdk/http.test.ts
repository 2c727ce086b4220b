import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorFromBody, FenerApiError, queryString, Transport } from './http.js';

test('errors read both wire shapes: ours and OpenAI’s', () => {
  const ours = errorFromBody(403, { error: { code: 'forbidden', message: 'needs the admin key', request_id: 'req_1', param: 'project' } });
  assert.deepEqual(
    [ours.status, ours.code, ours.message, ours.requestId, ours.param],
    [403, 'forbidden', 'needs the admin key', 'req_1', 'project'],
  );
  const openai = errorFromBody(401, {
    error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  });
  assert.equal(openai.code, 'invalid_api_key');
  const garbage = errorFromBody(502, 'Bad Gateway');
  assert.deepEqual([garbage.code, garbage.message], ['http_502', 'The server answered 502.']);
});

test('query strings skip absent values and encode objects as JSON', () => {
  assert.equal(queryString({}), '');
  assert.equal(queryString({ a: undefined, b: '' }), '');
  assert.equal(
    queryString({ status: 'error', limit: 5, metadata: { feature: 'a b' } }),
    '?status=error&limit=5&metadata=%7B%22feature%22%3A%22a+b%22%7D',
  );
});

test('the transport sends the key and JSON, and turns failures into FenerApiError', async () => {
  const seen: { url: string; init: RequestInit | undefined }[] = [];
  const transport = new Transport({
    baseUrl: 'http://fener.test',
    apiKey: 'sk-test',
    fetch: async (url, init) => {
      seen.push({ url, init });
      if (url.endsWith('/missing'))
        return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no', request_id: 'r' } }), { status: 404 });
      if (url.endsWith('/html')) return new Response('<html>', { status: 200 });
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    },
  });
  assert.deepEqual(await transport.request('POST', '/api/things', { body: { name: 'x' } }), { ok: true });
  const headers = seen[0]?.init?.headers as Record<string, string>;
  assert.equal(headers.authorization, 'Bearer sk-test');
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(seen[0]?.init?.body, '{"name":"x"}');
  await assert.rejects(
    transport.request('GET', '/missing'),
    (error: unknown) => error instanceof FenerApiError && error.status === 404 && error.code === 'not_found',
  );
  await assert.rejects(
    transport.request('GET', '/html'),
    (error: unknown) => error instanceof FenerApiError && error.code === 'invalid_response',
  );
  // A download is the body as it came (a JSONL file is not one JSON value); an error answer still throws.
  assert.equal(await transport.download('/html'), '<html>');
  assert.equal((seen.at(-1)?.init?.headers as Record<string, string>).accept, '*/*');
  await assert.rejects(
    transport.download('/missing'),
    (error: unknown) => error instanceof FenerApiError && error.status === 404 && error.requestId === 'r',
  );
  const offline = new Transport({ baseUrl: 'http://fener.test', apiKey: 'k', fetch: () => Promise.reject(new TypeError('fetch failed')) });
  await assert.rejects(
    offline.request('GET', '/api/session'),
    (error: unknown) => error instanceof FenerApiError && error.status === 0 && error.code === 'network_error',
  );
});
