/**
 * PII protection end to end: `POST /api/pii/redact`, and a project's policy applied by the
 * gateway (what the upstream receives) and by the trace recorder (what is stored), on both
 * `/v1/chat/completions` and `/v1/messages`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

/** Forwards to the mock provider and keeps every request body it saw. */
async function startCapturingProxy(upstream: string): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const name of ['authorization', 'x-api-key', 'anthropic-version']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      fetch(`${upstream}${request.url ?? ''}`, { method: request.method ?? 'POST', headers, body })
        .then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

const email = 'ayse.yilmaz@example.com';
const card = '4111 1111 1111 1111';
const message = `Merhaba, e-postam ${email}, kartım ${card}. Bugün 3 ürün sipariş ettim.`;

interface TraceView {
  request_body: unknown;
  response_body: unknown;
}

describe('PII protection', () => {
  let mock: MockProvider;
  let proxy: Awaited<ReturnType<typeof startCapturingProxy>>;
  let server: TestServer;
  let key: string;

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 3, outputTokens: 8 });
    proxy = await startCapturingProxy(mock.url);
    server = await startTestServer(
      {
        providers: [
          { id: 'upstream', type: 'openai-compatible', base_url: `${proxy.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
          { id: 'claude', type: 'anthropic', base_url: `${proxy.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
        ],
        models: [
          { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini' },
          { name: 'sonnet', provider: 'claude', upstream_model: 'claude-sonnet-4-0' },
        ],
      },
      { UPSTREAM_KEY: 'upstream-secret', FENER_SECRET_KEY: 'test-secret' },
    );
    key = await server.createKey('pii');
  });

  after(async () => {
    await server.stop();
    await new Promise((resolve) => proxy.server.close(resolve));
    await mock.close();
  });

  const post = (path: string, body: unknown, secret = key): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function putPolicy(document: unknown): Promise<void> {
    const response = await fetch(`${server.url}/api/policies/default`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(document),
    });
    assert.equal(response.status, 200, await response.text());
  }

  /** Waits (bounded) until the gateway's cached policy follows the revision bump. */
  async function policyApplied(on: boolean): Promise<void> {
    const project = await server.context.store.projects.findByName('default');
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((server.context.runtime.pii.policyFor(project!.id).requests !== 'off') === on) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail('the gateway did not pick up the policy change');
  }

  async function chatBoth(): Promise<{ upstream: string[]; traces: TraceView[] }> {
    proxy.bodies.length = 0;
    const openai = await post('/v1/chat/completions', { model: 'small', messages: [{ role: 'user', content: message }] });
    assert.equal(openai.status, 200, await openai.clone().text());
    const anthropic = await post('/v1/messages', {
      model: 'sonnet',
      max_tokens: 32,
      messages: [{ role: 'user', content: [{ type: 'text', text: message }] }],
    });
    assert.equal(anthropic.status, 200, await anthropic.clone().text());
    await flushTraces(server);
    const traces: TraceView[] = [];
    for (const response of [openai, anthropic]) {
      const id = response.headers.get('x-fener-trace-id');
      traces.push((await adminGet<TraceView>(server, `/api/traces/${id}`)).body);
    }
    return { upstream: [...proxy.bodies], traces };
  }

  test('POST /api/pii/redact masks, hashes and removes, with offsets into the input', async () => {
    const text = `😀 ${email} / ${card}`;
    const masked = await post('/api/pii/redact', { text, mode: 'mask' });
    assert.equal(masked.status, 200);
    const body = (await masked.json()) as { text: string; entities: { type: string; start: number; end: number }[] };
    assert.equal(body.text, '😀 [EMAIL] / [CREDIT_CARD]');
    assert.deepEqual(body.entities, [
      { type: 'email', start: 3, end: 3 + email.length },
      { type: 'credit_card', start: 6 + email.length, end: 6 + email.length + card.length },
    ]);
    const hashedA = (await (await post('/api/pii/redact', { text: email, mode: 'hash' })).json()) as { text: string };
    const hashedB = (await (await post('/api/pii/redact', { text: email.toUpperCase(), mode: 'hash' })).json()) as { text: string };
    assert.match(hashedA.text, /^\[EMAIL_[0-9a-f]{8}\]$/);
    assert.equal(hashedA.text, hashedB.text);
    const removed = (await (await post('/api/pii/redact', { text, mode: 'remove', types: ['email'] })).json()) as { text: string };
    assert.equal(removed.text, `😀  / ${card}`);
  });

  test('bad input is a 400 naming the field; no key is a 401; the route is in OpenAPI', async () => {
    const badMode = await post('/api/pii/redact', { text: 'x', mode: 'scramble' });
    assert.equal(badMode.status, 400);
    assert.match(JSON.stringify(await badMode.json()), /mode/);
    const badType = await post('/api/pii/redact', { text: 'x', mode: 'mask', types: ['passport'] });
    assert.equal(badType.status, 400);
    assert.equal((await post('/api/pii/redact', { text: 'x', mode: 'mask' }, 'sk-wrong')).status, 401);
    const openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/api/pii/redact']);
  });

  test('policy off: the upstream and the trace see the message unchanged', async () => {
    const { upstream, traces } = await chatBoth();
    assert.equal(upstream.length, 2);
    for (const body of upstream) assert.ok(body.includes(email) && body.includes(card));
    assert.ok(JSON.stringify(traces[0]?.request_body).includes(email));
  });

  test('policy on: the provider gets redacted text on both endpoints and traces hold no raw email or card', async () => {
    await putPolicy({ pii: { requests: { mode: 'mask', types: ['email', 'credit_card'] }, traces: { mode: 'hash' } } });
    await policyApplied(true);
    const { upstream, traces } = await chatBoth();
    assert.equal(upstream.length, 2);
    for (const body of upstream) {
      assert.ok(!body.includes(email) && !body.includes(card), body);
      assert.ok(body.includes('[EMAIL]') && body.includes('[CREDIT_CARD]'), body);
      assert.ok(body.includes('Bugün 3 ürün'), 'the rest of the text is untouched');
    }
    for (const trace of traces) {
      const stored = JSON.stringify(trace);
      assert.ok(!stored.includes(email) && !stored.includes(card), stored);
      assert.match(stored, /\[EMAIL_[0-9a-f]{8}\]/);
    }
    const audit = await adminGet<{ data: { action: string; after: unknown }[] }>(server, '/api/audit?object_type=policy');
    assert.ok(JSON.stringify(audit.body.data[0]?.after).includes('credit_card'), 'the policy change is audited');
  });

  test('a policy with an unknown mode is refused and changes nothing', async () => {
    const response = await fetch(`${server.url}/api/policies/default`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pii: { requests: { mode: 'shred' } } }),
    });
    assert.equal(response.status, 400);
    await putPolicy({ pii: { requests: 'off', traces: 'off' } });
    await policyApplied(false);
    const { upstream } = await chatBoth();
    for (const body of upstream) assert.ok(body.includes(email));
  });
});
