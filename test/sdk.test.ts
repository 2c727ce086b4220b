/** The SDK against a real server: sessions, scoping of a project key, and the API's errors as FenerApiError. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FenerApiError, FenerClient } from '../src/sdk/index.js';
import { startTestServer, type TestServer } from './support/fener.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

test('session tells the admin key from a project key', async () => {
  const admin = new FenerClient({ baseUrl: server.url, apiKey: server.adminKey });
  assert.deepEqual(await admin.session(), { key_id: 'key_environment', name: 'FENER_ADMIN_KEY', kind: 'admin', project: null });
  const created = await admin.keys.create({ name: 'sdk', budget: { usd: 2, period: 'day' } });
  assert.match(created.key, /^sk-fener-/);
  assert.deepEqual(created.budget, { usd: 2, period: 'day' });
  const project = new FenerClient({ baseUrl: server.url, apiKey: created.key });
  const session = await project.session();
  assert.equal(session.kind, 'project');
  assert.equal(session.project?.name, 'default');
});

test('a project key lists its own traces, is refused another project, and gets forbidden on admin routes', async () => {
  const admin = new FenerClient({ baseUrl: server.url, apiKey: server.adminKey });
  await admin.projects.create('elsewhere');
  const key = (await admin.keys.create({ name: 'scoped' })).key;
  const project = new FenerClient({ baseUrl: server.url, apiKey: key });
  assert.deepEqual((await project.traces.list()).data, []);
  await assert.rejects(
    project.traces.list({ project: 'elsewhere' }),
    (error: unknown) => error instanceof FenerApiError && error.code === 'forbidden',
  );
  await assert.rejects(project.keys.list(), (error: unknown) => error instanceof FenerApiError && error.status === 403);
  await assert.rejects(project.traces.get('trc_missing'), (error: unknown) => error instanceof FenerApiError && error.code === 'not_found');
  const revoked = await admin.keys.revoke((await admin.keys.list()).data.find((each) => each.name === 'scoped')!.id);
  assert.notEqual(revoked.revoked_at, null);
  await assert.rejects(project.session(), (error: unknown) => error instanceof FenerApiError && error.code === 'unauthorized');
});
