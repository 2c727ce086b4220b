/**
 * Bad input to the registry, deployments and governance API: each refused with a clear 4xx that
 * names the problem, and nothing changed — no new version, no audit entry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './support/fener.js';

interface ErrorBody {
  error: { code: string; message: string; param?: string };
}

const price = { input_per_mtok: 1, output_per_mtok: 2 };

describe('registry, deployments and governance: bad input', () => {
  let server: TestServer;
  let secondAdmin: string;

  before(async () => {
    server = await startTestServer({
      providers: [
        { id: 'upstream', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' },
        { id: 'other', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' },
      ],
      models: [
        { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price, licence: 'proprietary' },
        { name: 'open', provider: 'other', upstream_model: 'llama', price, licence: 'llama3' },
      ],
    });
    secondAdmin = (await server.context.store.keys.create({ projectId: null, name: 'second admin', kind: 'admin' })).secret;
  });
  after(() => server.stop());

  async function send(method: string, url: string, payload?: object, key = server.adminKey) {
    const response = await server.app.inject({
      method: method as 'POST',
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, body: response.json<ErrorBody & Record<string, unknown>>() };
  }

  async function auditCount(): Promise<number> {
    return (await server.context.store.audit.verify()).checked;
  }

  async function refused(
    method: string,
    url: string,
    payload: object | undefined,
    expected: { status: number; match: RegExp; key?: string },
  ) {
    const before = await auditCount();
    const response = await send(method, url, payload, expected.key);
    assert.equal(response.status, expected.status, JSON.stringify(response.body));
    assert.match(response.body.error.message, expected.match);
    assert.equal(await auditCount(), before, 'a refused change leaves no audit entry');
    return response.body;
  }

  test('unknown models, providers, versions and bad parameters are refused, nothing stored', async () => {
    const missing = await refused(
      'POST',
      '/api/deployments',
      { name: 'bot', model: 'no-such-model' },
      { status: 400, match: /no-such-model/ },
    );
    assert.equal(missing.error.param, 'model');
    await refused(
      'POST',
      '/api/deployments',
      { name: 'bot', model: 'small', fallbacks: ['ghost'] },
      { status: 400, match: /fallbacks\.0.*ghost/ },
    );
    await refused('POST', '/api/deployments', { name: 'bot', model: 'registry:nobody@champion' }, { status: 400, match: /nobody/ });
    const parameters = await refused(
      'POST',
      '/api/deployments',
      { name: 'bot', model: 'small', parameters: { temperature: 7 } },
      { status: 400, match: /temperature/ },
    );
    assert.equal(parameters.error.param, 'parameters.temperature');
    assert.equal((await send('GET', '/api/deployments/bot')).status, 404);

    assert.equal((await send('POST', '/api/registry/models', { name: 'support' })).status, 201);
    await refused('POST', '/api/registry/models', { name: 'bad/name' }, { status: 400, match: /letters, digits/ });
    await refused(
      'POST',
      '/api/registry/models/support/versions',
      { provider: 'nowhere', upstream_model: 'x', price },
      { status: 400, match: /unknown provider "nowhere"/ },
    );
    await refused(
      'POST',
      '/api/registry/models/support/versions',
      { provider: 'upstream', upstream_model: 'x', price, fine_tuned_from: 'support@4' },
      { status: 400, match: /fine_tuned_from/ },
    );
    await refused('PUT', '/api/registry/models/support/aliases/champion', { version: 1 }, { status: 404, match: /no version 1/ });
    await refused('PUT', '/api/registry/models/support/aliases/2', { version: 1 }, { status: 400, match: /cannot be a number/ });
    await refused(
      'POST',
      '/api/registry/models/support/versions/3/evaluations',
      { name: 'g', metric: 'acc', value: 1 },
      { status: 404, match: /no version 3/ },
    );
    assert.equal((await send('GET', '/api/registry/models/support')).body.latest_version, null);
  });

  test('rollback with no previous version is refused and changes nothing', async () => {
    assert.equal((await send('POST', '/api/deployments', { name: 'lonely', model: 'small' })).status, 201);
    await refused('POST', '/api/deployments/lonely/rollback', undefined, { status: 409, match: /no previous version/ });
    await refused('POST', '/api/deployments/lonely/rollback', { version: 9 }, { status: 404, match: /no version 9/ });
    await refused('POST', '/api/deployments/ghost/rollback', undefined, { status: 404, match: /ghost/ });
    const deployment = (await send('GET', '/api/deployments/lonely')).body as unknown as { versions: unknown[]; active_version: number };
    assert.deepEqual([deployment.versions.length, deployment.active_version], [1, 1]);
  });

  test('with require_approval, a change waits; its author cannot approve it; a second admin can', async () => {
    assert.equal((await send('POST', '/api/deployments', { name: 'prod', model: 'small' })).status, 201);
    assert.equal((await send('PUT', '/api/policies/default', { require_approval: true })).status, 200);
    const pending = await send('POST', '/api/deployments/prod/versions', { model: 'open', parameters: { temperature: 0.5 } });
    assert.equal(pending.status, 201);
    assert.equal(pending.body.active_version, 1, 'a pending version does not serve');

    await refused('POST', '/api/deployments/prod/versions/2/approve', undefined, { status: 403, match: /different person/ });
    await refused('POST', '/api/deployments/prod/versions/1/approve', undefined, { status: 409, match: /not waiting/, key: secondAdmin });
    const approved = await send('POST', '/api/deployments/prod/versions/2/approve', undefined, secondAdmin);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.active_version, 2);

    const audit = (await send('GET', '/api/audit?object_type=deployment&object_id=prod')).body as unknown as {
      data: { action: string; actor: string }[];
    };
    assert.equal(audit.data[0]?.action, 'approval.grant');
    assert.notEqual(audit.data[0]?.actor, audit.data[1]?.actor);
    assert.equal((await send('PUT', '/api/policies/default', { require_approval: false })).status, 200);
  });

  test('policy violations are refused with 403 naming the rule', async () => {
    assert.equal(
      (await send('PUT', '/api/policies/default', { allowed_providers: ['upstream'], allowed_licences: ['proprietary'] })).status,
      200,
    );
    await refused(
      'POST',
      '/api/deployments',
      { name: 'llama-bot', model: 'open' },
      { status: 403, match: /allowed_providers does not include "other"/ },
    );
    await refused(
      'POST',
      '/api/deployments/prod/versions',
      { model: 'small', fallbacks: ['open'] },
      { status: 403, match: /allowed_providers/ },
    );

    assert.equal((await send('POST', '/api/registry/models', { name: 'tuned' })).status, 201);
    const unlicensed = await send('POST', '/api/registry/models/tuned/versions', { provider: 'upstream', upstream_model: 'ft-1', price });
    assert.equal(unlicensed.status, 201);
    await refused(
      'PUT',
      '/api/registry/models/tuned/aliases/champion',
      { version: 1 },
      { status: 403, match: /allowed_licences is set and model .* has no licence/ },
    );

    assert.equal((await send('PUT', '/api/policies/default', { allowed_models: ['small'] })).status, 200);
    await refused(
      'POST',
      '/api/deployments',
      { name: 'x', model: 'open' },
      { status: 403, match: /allowed_models does not include "open"/ },
    );
    await refused('PUT', '/api/policies/nowhere', {}, { status: 404, match: /nowhere/ });
    await refused('PUT', '/api/policies/default', { allowed_models: 'small' }, { status: 400, match: /allowed_models/ });
    assert.equal((await send('PUT', '/api/policies/default', {})).status, 200);
  });

  test('the OpenAPI document lists the new routes', async () => {
    const document = (await send('GET', '/api/openapi.json')).body as unknown as { paths: Record<string, unknown> };
    for (const path of [
      '/api/registry/models/{name}/aliases/{alias}',
      '/api/deployments/{name}/rollback',
      '/api/audit',
      '/api/policies/{project}',
    ]) {
      assert.ok(document.paths[path], path);
    }
  });
});
