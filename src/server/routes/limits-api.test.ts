/** Limits and budgets over `/api` and the `fener` command: create, change, read back, refuse bad values. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../test/support/cli.js';
import { startTestServer, type TestServer } from '../../../test/support/fener.js';

interface KeyBody {
  id: string;
  limits: { rpm: number | null; tpm: number | null };
  budget: { usd: number; period: string } | null;
}

describe('limits and budgets: API and CLI', () => {
  let server: TestServer;
  const admin = () => ({ authorization: `Bearer ${server.adminKey}` });
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('POST /api/keys takes limits and a budget; PATCH changes and removes them; GET shows them', async () => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: admin(),
      payload: { name: 'limited', limits: { rpm: 60 }, budget: { usd: 5, period: 'day' } },
    });
    assert.equal(created.statusCode, 201, created.body);
    const key = created.json<KeyBody>();
    assert.deepEqual(
      [key.limits, key.budget],
      [
        { rpm: 60, tpm: null },
        { usd: 5, period: 'day' },
      ],
    );

    const patched = await server.app.inject({
      method: 'PATCH',
      url: `/api/keys/${key.id}`,
      headers: admin(),
      payload: { limits: { tpm: 20_000, rpm: null }, budget: null },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual([patched.json<KeyBody>().limits, patched.json<KeyBody>().budget], [{ rpm: null, tpm: 20_000 }, null]);
    const listed = (await server.app.inject({ method: 'GET', url: '/api/keys', headers: admin() })).json<{ data: KeyBody[] }>();
    assert.deepEqual(listed.data.find((entry) => entry.id === key.id)?.limits, { rpm: null, tpm: 20_000 });

    const missing = await server.app.inject({ method: 'PATCH', url: '/api/keys/key_missing', headers: admin(), payload: { budget: null } });
    assert.equal(missing.statusCode, 404);
  });

  test('negative or zero limits and budgets are refused with 400 naming the field', async () => {
    const cases: [string, string, object, string][] = [
      ['POST', '/api/keys', { name: 'x', budget: { usd: -1, period: 'day' } }, 'budget.usd'],
      ['POST', '/api/keys', { name: 'x', budget: { usd: 0, period: 'month' } }, 'budget.usd'],
      ['POST', '/api/keys', { name: 'x', budget: { usd: 1, period: 'week' } }, 'budget.period'],
      ['POST', '/api/keys', { name: 'x', limits: { rpm: 0 } }, 'limits.rpm'],
      ['POST', '/api/keys', { name: 'x', limits: { tpm: -5 } }, 'limits.tpm'],
      ['PATCH', '/api/projects/default', { budget: { usd: -3, period: 'total' } }, 'budget.usd'],
      ['PATCH', '/api/projects/default', { limits: { rpm: 1.5 } }, 'limits.rpm'],
    ];
    for (const [method, url, payload, param] of cases) {
      const response = await server.app.inject({ method: method as 'POST' | 'PATCH', url, headers: admin(), payload });
      assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}`);
      const error = response.json<{ error: { param: string; message: string } }>().error;
      assert.equal(error.param, param);
      assert.match(error.message, new RegExp(`^${param.replace('.', '\\.')}: `));
    }
  });

  test('PATCH /api/projects/:name sets limits shared by the project; GET lists them', async () => {
    const patched = await server.app.inject({
      method: 'PATCH',
      url: '/api/projects/default',
      headers: admin(),
      payload: { limits: { rpm: 600 }, budget: { usd: 100, period: 'month' } },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    const projects = (await server.app.inject({ method: 'GET', url: '/api/projects', headers: admin() })).json<{
      data: { name: string; limits: object; budget: object | null }[];
    }>();
    const project = projects.data.find((entry) => entry.name === 'default');
    assert.deepEqual(
      [project?.limits, project?.budget],
      [
        { rpm: 600, tpm: null },
        { usd: 100, period: 'month' },
      ],
    );
    const missing = await server.app.inject({ method: 'PATCH', url: '/api/projects/ghost', headers: admin(), payload: {} });
    assert.equal(missing.statusCode, 404);
  });

  test('fener keys create|update and fener projects update', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const created = await runCli(
      ['keys', 'create', '--name', 'cli', '--rpm', '30', '--tpm', '9000', '--budget-usd', '2.5', '--budget-period', 'month', '--json'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { id: string; limits: object; budget: object };
    assert.deepEqual(
      [key.limits, key.budget],
      [
        { rpm: 30, tpm: 9000 },
        { usd: 2.5, period: 'month' },
      ],
    );

    const updated = await runCli(['keys', 'update', key.id, '--rpm', 'none', '--budget-period', 'day', '--json'], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(JSON.parse(updated.stdout), { id: key.id, limits: { tpm: 9000 }, budget: { usd: 2.5, period: 'day' } });
    const stored = await server.context.store.keys.get(key.id);
    assert.deepEqual(stored?.budget, { usd: 2.5, period: 'day' }, 'the server sees what the CLI wrote');

    const project = await runCli(['projects', 'update', 'default', '--tpm', '50000', '--budget-usd', 'none'], env);
    assert.equal(project.code, 0, project.stderr);
    assert.match(project.stdout, /updated project "default": limits .*50000 tpm, budget -/);

    const listed = await runCli(['keys', 'list'], env);
    assert.match(listed.stdout, new RegExp(`${key.id}.*9000 tpm\\s+\\$2\\.5/day`));

    for (const [args, message] of [
      [['keys', 'create', '--name', 'bad', '--budget-usd', '-1', '--budget-period', 'day'], /--budget-usd: expected a positive amount/],
      [['keys', 'create', '--name', 'bad', '--budget-usd', '3'], /--budget-usd needs --budget-period/],
      [['keys', 'create', '--name', 'bad', '--rpm', '0'], /--rpm: expected a positive whole number/],
      [['keys', 'update', key.id, '--budget-period', 'week'], /--budget-period: expected one of day, month, total/],
      [['keys', 'update', key.id], /nothing to change/],
    ] as const) {
      const result = await runCli([...args], env);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.stderr, message);
    }
  });
});
