import { test } from 'node:test';
import assert from 'node:assert/strict';
import { providerSchema } from '../core/index.js';
import type { ProviderConfig } from '../core/index.js';
import { startReplayServer } from './openai-compatible/replay-server.js';
import { createProvider } from './registry.js';

const config = (input: Record<string, unknown>): ProviderConfig => providerSchema.parse(input);

test('each type gets its adapter', async () => {
  const cases = [
    [config({ id: 'openai', type: 'openai' }), { OPENAI_API_KEY: 'sk-1' }],
    [config({ id: 'vllm', type: 'openai-compatible', base_url: 'http://127.0.0.1:8000/v1' }), {}],
    [config({ id: 'claude', type: 'anthropic' }), { ANTHROPIC_API_KEY: 'sk-ant-1' }],
    [config({ id: 'local', type: 'llama-cpp', model_path: '/nonexistent/tiny.gguf' }), {}],
  ] as const;
  for (const [providerConfig, env] of cases) {
    const provider = createProvider(providerConfig, env);
    assert.equal(provider.id, providerConfig.id);
    assert.equal(provider.type, providerConfig.type);
    await provider.close();
  }
});

test('a missing API key fails at creation, naming the environment variable', () => {
  assert.throws(() => createProvider(config({ id: 'openai', type: 'openai' }), {}), { message: /OPENAI_API_KEY/ });
  assert.throws(() => createProvider(config({ id: 'claude', type: 'anthropic' }), { OPENAI_API_KEY: 'x' }), {
    message: /ANTHROPIC_API_KEY/,
  });
  const named = config({ id: 'groq', type: 'openai-compatible', base_url: 'https://api.groq.com/openai/v1', api_key_env: 'GROQ_API_KEY' });
  assert.throws(() => createProvider(named, { GROQ_API_KEY: '' }), { name: 'FenerError', message: /GROQ_API_KEY.*api_key_env/ });
  assert.throws(() => createProvider(config({ id: 'o', type: 'openai', api_key_env: 'MY_KEY' }), { OPENAI_API_KEY: 'x' }), {
    message: /MY_KEY/,
  });
});

test('the key named by api_key_env and the configured headers reach the upstream', async () => {
  const server = await startReplayServer(() => ({
    body: JSON.stringify({ id: 'c', choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }] }),
  }));
  const provider = createProvider(
    config({
      id: 'groq',
      type: 'openai-compatible',
      base_url: `${server.url}/openai/v1`,
      api_key_env: 'GROQ_API_KEY',
      headers: { 'x-org': 'fener' },
    }),
    { GROQ_API_KEY: 'gsk_secret' },
  );
  const result = await provider.chat({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'Hi' }] });
  assert.equal(result.message.content, 'hi');
  assert.equal(server.requests[0]?.path, '/openai/v1/chat/completions');
  assert.equal(server.requests[0]?.headers.authorization, 'Bearer gsk_secret');
  assert.equal(server.requests[0]?.headers['x-org'], 'fener');
  await provider.close();
  await server.close();
});

test('an Anthropic base URL given without /v1, as its SDKs take it, still reaches /v1/messages', async () => {
  const server = await startReplayServer(() => ({
    body: JSON.stringify({ id: 'msg_1', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn' }),
  }));
  const provider = createProvider(config({ id: 'claude', type: 'anthropic', base_url: server.url }), { ANTHROPIC_API_KEY: 'sk-ant' });
  const result = await provider.chat({ model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }] });
  assert.equal(result.message.content, 'hi');
  assert.equal(server.requests[0]?.path, '/v1/messages');
  assert.equal(server.requests[0]?.headers['x-api-key'], 'sk-ant');
  await provider.close();
  await server.close();
});
