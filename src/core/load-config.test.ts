import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './index.js';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fener-config-')), 'fener.yaml');
  writeFileSync(path, text);
  return path;
}

const minimal = `
providers:
  - id: upstream
    type: openai-compatible
    base_url: http://127.0.0.1:4100/v1
    api_key_env: UPSTREAM_KEY
models:
  - name: small
    provider: upstream
    upstream_model: gpt-4o-mini
    price: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
`;

test('the minimal configuration from the README loads with defaults filled in', () => {
  const config = loadConfig({ path: configFile(minimal), env: {} });
  assert.equal(config.server.port, 4000);
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.body_limit_bytes, 10 * 1024 * 1024);
  assert.equal(config.server.upload_limit_bytes, 1024 ** 3);
  assert.equal(config.data_dir, './.fener');
  assert.equal(config.models[0]?.price.output_per_mtok, 0.6);
  assert.deepEqual(config.models[0]?.tasks, ['chat']);
});

test('environment and command line override the file, in that order', () => {
  const env = {
    FENER_PORT: '5000',
    FENER_HOST: '0.0.0.0',
    FENER_DATA_DIR: '/tmp/x',
    DATABASE_URL: 'postgres://h/db',
    FENER_UPLOAD_LIMIT_BYTES: '65536',
  };
  const config = loadConfig({ path: configFile(minimal), env, overrides: { port: 6000 } });
  assert.equal(config.server.port, 6000);
  assert.equal(config.server.upload_limit_bytes, 65_536);
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.data_dir, '/tmp/x');
  assert.equal(config.database_url, 'postgres://h/db');
});

test('a bad field stops loading with a message that names it', () => {
  const bad = minimal.replace('provider: upstream', 'provider: nowhere');
  assert.throws(
    () => loadConfig({ path: configFile(bad), env: {} }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /models\[0\]\.provider: unknown provider "nowhere"/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ path: configFile('server: { port: -1 }'), env: {} }), /server\.port/);
  assert.throws(() => loadConfig({ path: configFile('surprise: 1'), env: {} }), /surprise/);
  assert.throws(() => loadConfig({ path: configFile('models: [ {'), env: {} }), /not valid YAML/);
  assert.throws(() => loadConfig({ path: '/nonexistent/fener.yaml', env: {} }), /file not found/);
  assert.throws(() => loadConfig({ env: { FENER_PORT: 'abc' } }), /FENER_PORT/);
  assert.throws(() => loadConfig({ env: { FENER_UPLOAD_LIMIT_BYTES: '1e3x' } }), /FENER_UPLOAD_LIMIT_BYTES/);
  assert.throws(() => loadConfig({ env: { FENER_UPLOAD_LIMIT_BYTES: '0' } }), /server\.upload_limit_bytes/);
  assert.throws(() => loadConfig({ path: configFile('providers: [{ id: l, type: llama-cpp }]'), env: {} }), /providers\[0\]\.model_path/);
});

test('with no providers configured, the usual environment variables are detected', () => {
  const config = loadConfig({
    env: { OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'a', OLLAMA_HOST: '127.0.0.1:11434', FENER_LOCAL_MODEL: '/m.gguf' },
    path: configFile(''),
  });
  assert.deepEqual(
    config.providers.map((provider) => provider.id),
    ['openai', 'anthropic', 'ollama', 'local'],
  );
  assert.equal(config.providers[2]?.base_url, 'http://127.0.0.1:11434/v1');
  assert.equal(config.models[0]?.name, 'local');
});

test('model groups: unknown targets, name clashes and fallback loops are refused at load', () => {
  const base = minimal + '  - name: large\n    provider: upstream\n';
  const unknown = base + 'groups:\n  - name: smart\n    targets: [small, ghost]\n';
  assert.throws(() => loadConfig({ path: configFile(unknown), env: {} }), /groups\[0\]\.targets\[1\]: unknown target "ghost"/);
  const clash = base + 'groups:\n  - name: small\n    targets: [large]\n';
  assert.throws(() => loadConfig({ path: configFile(clash), env: {} }), /groups\[0\]\.name: "small" is already a model name/);
  const loop = base + 'groups:\n  - name: a\n    targets: [small, b]\n  - name: b\n    targets: [large, a]\n';
  assert.throws(() => loadConfig({ path: configFile(loop), env: {} }), /fallback loop: a → b → a/);
  const negative = base + 'groups:\n  - name: g\n    targets: [{ model: small, weight: -1 }]\n';
  assert.throws(() => loadConfig({ path: configFile(negative), env: {} }), /groups\[0\]\.targets\[0\]/);
  const good = base + 'groups:\n  - name: smart\n    strategy: weighted\n    targets: [{ model: small, weight: 3 }, large]\n';
  const config = loadConfig({ path: configFile(good), env: {} });
  assert.equal(config.groups[0]?.retries.attempts, 1);
  assert.ok(config.groups[0]?.fallback_on.includes('timeout'));
});
