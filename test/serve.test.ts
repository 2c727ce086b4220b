/** `fener serve` as a real process: first start, admin key, graceful shutdown that keeps every trace. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { openStore } from '../src/store/index.js';
import { cliEntry, runCli } from './support/cli.js';

interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'serve', '--port', '0', ...args], {
    env: { ...process.env, FENER_LOG_LEVEL: 'info', FENER_ADMIN_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s; stderr: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'fener is listening' && entry.url) {
        clearTimeout(timer);
        resolve({ child, url: entry.url, stderr: () => stderr, exited });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
}

describe('fener serve', () => {
  let mock: MockProvider;
  let dataDir: string;
  let configPath: string;
  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 3, ttftMs: 5, tokensPerSecond: 50, outputTokens: 20 });
    dataDir = mkdtempSync(join(tmpdir(), 'fener-serve-'));
    configPath = join(dataDir, 'fener.yaml');
    writeFileSync(
      configPath,
      `providers:\n  - id: upstream\n    type: openai-compatible\n    base_url: ${mock.url}/v1\n    api_key_env: UPSTREAM_KEY\nmodels:\n  - name: small\n    provider: upstream\n    upstream_model: gpt-4o-mini\n    price: { input_per_mtok: 0.15, output_per_mtok: 0.60 }\n`,
    );
  });
  after(() => mock.close());

  test('first start prints the admin key once; SIGTERM drains requests and writes every trace', async () => {
    const env = { FENER_DATA_DIR: dataDir, FENER_CONFIG: configPath, UPSTREAM_KEY: 'k' };
    const before = mock.stats().requests;
    const started = Date.now();
    const first = await serve(env);
    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(Date.now() - started < 10_000, 'answers /healthz within 10 s');
    const adminKey = /Admin key[^\n]*\n\n\s+(sk-fener-\S+)/.exec(first.stderr())?.[1];
    assert.ok(adminKey, first.stderr());
    const keys = await fetch(`${first.url}/api/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(keys.status, 200);

    const created = await runCli(['keys', 'create', '--name', 'serve-test', '--json'], env);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const body = JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const calls = Array.from({ length: 40 }, () =>
      fetch(`${first.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      }).then(async (response) => ({ status: response.status, text: await response.text() })),
    );
    // Stop while all the streams are in flight upstream (each takes ~400 ms): they must complete,
    // and their traces must be written.
    const inFlight = before + 40;
    while (mock.stats().requests < inFlight) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGTERM');
    const results = await Promise.all(calls);
    assert.equal(await first.exited, 0);
    for (const result of results) {
      assert.equal(result.status, 200);
      assert.ok(result.text.endsWith('data: [DONE]\n\n'));
    }
    const store = await openStore({ dataDir });
    try {
      assert.equal(await store.traces.count(), 40);
    } finally {
      await store.close();
    }

    const second = await serve(env);
    assert.doesNotMatch(second.stderr(), /Admin key/);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  test('a bad configuration stops start-up with a message naming the field', async () => {
    const bad = join(dataDir, 'bad.yaml');
    writeFileSync(bad, 'models:\n  - name: x\n    provider: nowhere\n');
    const result = await runCli(['serve', '--port', '0', '--config', bad], { FENER_DATA_DIR: dataDir });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /models\[0\]\.provider: unknown provider "nowhere"/);
  });

  test('fener demo --once sends traffic and records traces without any key', async () => {
    const result = await runCli(['demo', '--once', '--port', '0'], { FENER_DATA_DIR: mkdtempSync(join(tmpdir(), 'fener-demo-test-')) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Sent 18 calls/);
    assert.match(result.stdout, /18 traces recorded/);
  });
});
