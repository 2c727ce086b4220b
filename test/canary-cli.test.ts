/**
 * `fener deployments canary start|status|approve|promote|abort`, run as a user would (a child
 * process each) against a running server, under a policy that needs a second person: the author
 * cannot approve, a promotion waits for a second admin, and an abort ends a canary. In its own file:
 * each command is a process start, which is slow on a loaded machine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { runCli, type CliResult } from './support/cli.js';
import { adminGet, startTestServer, type TestServer } from './support/fener.js';

const price = { input_per_mtok: 0.15, output_per_mtok: 0.6 };

describe('canary releases from the CLI', () => {
  let mock: MockProvider;
  let server: TestServer;
  let secondKey: string;
  let workDir: string;

  const admin = async (method: string, path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.text()}`);
  };

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 9, outputTokens: 4 });
    server = await startTestServer({
      providers: [{ id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
      models: [
        { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price },
        { name: 'small-next', provider: 'upstream', upstream_model: 'gpt-4o-mini-next', price },
      ],
    });
    await admin('POST', '/api/deployments', { name: 'bot', model: 'small' });
    await admin('PUT', '/api/policies/default', { require_approval: true });
    secondKey = (await server.context.store.keys.create({ projectId: null, name: 'second admin', kind: 'admin' })).secret;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the authenticator picks the new key up on its poll
    workDir = mkdtempSync(join(tmpdir(), 'fener-canary-cli-'));
  });
  after(async () => {
    await server.stop();
    await mock.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('start → approve (refused to the author) → status → promote by two people; abort; no key', async () => {
    const canary = (key: string, ...args: string[]): Promise<CliResult> =>
      runCli(['deployments', 'canary', ...args, '--url', server.url, '--key', key]);
    const ok = async (key: string, ...args: string[]): Promise<string> => {
      const result = await canary(key, ...args);
      assert.equal(result.code, 0, `fener deployments canary ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const file = join(workDir, 'canary.json');
    writeFileSync(
      file,
      JSON.stringify({
        variants: [
          { name: 'baseline', percent: 80 },
          { name: 'next', percent: 20, spec: { model: 'small-next' } },
        ],
        analysis: { min_samples: 1000, auto_promote: false },
      }),
    );

    assert.match(await ok(server.adminKey, 'start', 'bot', '--file', file), /^can_\S+ pending: baseline=v1 80%, next=v2 20%\n$/);
    const refused = await canary(server.adminKey, 'approve', 'bot');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /approved by a different person than its author/);
    assert.match(await ok(secondKey, 'approve', 'bot'), / running: baseline=v1 80%, next=v2 20%/);

    const status = JSON.parse(await ok(server.adminKey, 'status', 'bot', '--json')) as {
      status: string;
      approved_by: string;
      counts: Record<string, unknown>;
    };
    assert.equal(status.status, 'running');
    assert.match(status.approved_by, /^key_/);

    assert.match(await ok(server.adminKey, 'promote', 'bot', '--variant', 'next'), /waiting for a second person to promote it too/);
    assert.equal((await adminGet<{ active_version: number }>(server, '/api/deployments/bot')).body.active_version, 1, 'not yet');
    assert.match(await ok(secondKey, 'promote', 'bot', '--variant', 'next'), / promoted: /);
    assert.equal((await adminGet<{ active_version: number }>(server, '/api/deployments/bot')).body.active_version, 2);

    assert.match(await ok(server.adminKey, 'start', 'bot', '--file', file), / pending: baseline=v2 80%, next=v3 20%/);
    assert.match(await ok(server.adminKey, 'abort', 'bot'), / aborted: /);
    assert.equal((await adminGet<{ active_version: number }>(server, '/api/deployments/bot')).body.active_version, 2);

    const noKey = await runCli(['deployments', 'canary', 'status', 'bot', '--url', server.url], { FENER_ADMIN_KEY: '' });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /give --key or set FENER_ADMIN_KEY/);
    const missing = await canary(server.adminKey, 'status', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope/);
  });
});
