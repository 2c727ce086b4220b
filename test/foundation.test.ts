/** Issue #2's contract: health, request ids, the two error shapes, keys over the API and the CLI. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from './support/cli.js';
import { startTestServer, type TestServer } from './support/fener.js';

describe('foundation', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ server: { body_limit_bytes: 4096 } });
  });
  after(() => server.stop());

  const admin = (): Record<string, string> => ({ authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' });

  test('health, readiness and a request id on every response', async () => {
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'ok');
    assert.match(String(health.headers['x-request-id']), /^req_/);
    const ready = await server.app.inject({ method: 'GET', url: '/readyz', headers: { 'x-request-id': 'my-id-1' } });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().database, 'sqlite');
    assert.equal(ready.headers['x-request-id'], 'my-id-1');
  });

  test('the OpenAPI document is generated from the route schemas', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, '3.1.0');
    const createKey = document.paths['/api/keys'].post;
    assert.deepEqual(createKey.requestBody.content['application/json'].schema.required, ['name']);
    assert.ok(document.paths['/api/keys/{id}'].delete);
    assert.ok(document.paths['/api/traces'].get.parameters.some((parameter: { name: string }) => parameter.name === 'cursor'));
  });

  test('bad input on /api gets our error shape with the request id, and changes nothing', async () => {
    const before = (await server.context.store.keys.list({ includeRevoked: true })).length;
    const cases = [
      { payload: '{"name": ', type: 'application/json', status: 400, code: 'invalid_json' },
      {
        payload: 'name=x',
        type: 'application/x-www-form-urlencoded',
        status: 415,
        code: 'unsupported_media_type',
        message: 'content type "application/x-www-form-urlencoded" is not accepted here; send application/json',
      },
      { payload: JSON.stringify({ name: 'x'.repeat(5000) }), type: 'application/json', status: 413, code: 'payload_too_large' },
      { payload: JSON.stringify({ name: '' }), type: 'application/json', status: 400, code: 'invalid_request' },
      { payload: JSON.stringify({ name: 'k', project: 'nope' }), type: 'application/json', status: 404, code: 'not_found' },
    ];
    for (const item of cases) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: { ...admin(), 'content-type': item.type },
        payload: item.payload,
      });
      assert.equal(response.statusCode, item.status, item.code);
      const body = response.json();
      assert.equal(body.error.code, item.code);
      assert.equal(body.error.request_id, response.headers['x-request-id']);
      assert.equal(typeof body.error.message, 'string');
      if (item.message !== undefined) assert.equal(body.error.message, item.message);
      assert.ok(!JSON.stringify(body).includes('    at '), 'no stack trace');
    }
    assert.equal((await server.context.store.keys.list({ includeRevoked: true })).length, before);
  });

  test('bad input on /v1 gets OpenAI’s error shape', async () => {
    const malformed = await server.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      payload: '{oops',
    });
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual(Object.keys(malformed.json().error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(malformed.json().error.type, 'invalid_request_error');
    const unknownRoute = await server.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    assert.equal(unknownRoute.statusCode, 404);
    assert.equal(unknownRoute.json().error.type, 'invalid_request_error');
    const apiUnknown = await server.app.inject({ method: 'GET', url: '/api/nothing-here' });
    assert.equal(apiUnknown.statusCode, 404);
    assert.equal(apiUnknown.json().error.code, 'not_found');
  });

  test('keys: missing, unknown and wrong-kind keys are refused', async () => {
    const none = await server.app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'invalid_api_key');
    const unknown = await server.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer sk-fener-nope' } });
    assert.equal(unknown.statusCode, 401);
    const apiWithoutKey = await server.app.inject({ method: 'GET', url: '/api/keys' });
    assert.equal(apiWithoutKey.statusCode, 401);
    assert.equal(apiWithoutKey.json().error.code, 'unauthorized');
    const projectKey = await server.createKey('not-admin');
    const forbidden = await server.app.inject({ method: 'GET', url: '/api/keys', headers: { authorization: `Bearer ${projectKey}` } });
    assert.equal(forbidden.statusCode, 403);
  });

  test('a key created over the API authenticates on /v1/models until it is revoked', async () => {
    const created = await server.app.inject({ method: 'POST', url: '/api/keys', headers: admin(), payload: { name: 'api-key' } });
    assert.equal(created.statusCode, 201);
    const { id, key } = created.json();
    assert.match(key, /^sk-fener-/);
    const listed = await server.app.inject({ method: 'GET', url: '/api/keys', headers: admin() });
    assert.ok(listed.json().data.some((item: { id: string; key?: string }) => item.id === id && item.key === undefined));
    const models = await server.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key}` } });
    assert.equal(models.statusCode, 200);
    assert.equal(models.json().object, 'list');
    const revoked = await server.app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: admin() });
    assert.equal(revoked.statusCode, 200);
    assert.ok(revoked.json().revoked_at);
    const refused = await server.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key}` } });
    assert.equal(refused.statusCode, 401);
    const again = await server.app.inject({ method: 'DELETE', url: '/api/keys/key_unknown', headers: admin() });
    assert.equal(again.statusCode, 404);
  });

  test('a key made and revoked by the CLI (another process) works, then is refused by the running server', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const created = await runCli(['keys', 'create', '--name', 'from-cli', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    const ok = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(ok.status, 200);
    const listed = await runCli(['keys', 'list'], env);
    assert.match(listed.stdout, new RegExp(id));
    const revoked = await runCli(['keys', 'revoke', id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    // Other processes learn of the revocation from the revisions poll (100 ms); allow a few.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 401; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;
    }
    assert.equal(status, 401);
    const body = await (await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json();
    assert.equal((body as { error: { code: string } }).error.code, 'invalid_api_key');
  });

  test('the CLI refuses bad input with a clear message and a non-zero exit', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const noProject = await runCli(['keys', 'create', '--name', 'x', '--project', 'ghost'], env);
    assert.notEqual(noProject.code, 0);
    assert.match(noProject.stderr, /project "ghost" does not exist/);
    const missingName = await runCli(['keys', 'create'], env);
    assert.notEqual(missingName.code, 0);
    assert.match(missingName.stderr, /--name/);
    const badConfig = await runCli(['migrate'], { ...env, FENER_PORT: 'x' });
    assert.notEqual(badConfig.code, 0);
    assert.match(badConfig.stderr, /FENER_PORT/);
  });
});
