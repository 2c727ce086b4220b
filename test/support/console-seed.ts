/**
 * A Fener in front of the mock provider with real traffic in it, for the console's browser tests:
 * calls through the gateway (ok, streamed, failed), a prompt, a registered model and a deployment
 * with two versions.
 */
import { startMockProvider, type MockProvider } from '../../src/mock/index.js';
import { flushTraces, startTestServer, type TestServer } from './fener.js';

export interface SeededConsole {
  mock: MockProvider;
  server: TestServer;
  /** A project key of the `default` project that made the calls. */
  appKey: string;
  /** How many calls were made, and how many failed. */
  calls: { total: number; errors: number };
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  chat(key: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

const price = { input_per_mtok: 0.15, output_per_mtok: 0.6 };

export async function seedConsole(): Promise<SeededConsole> {
  const mock = await startMockProvider({ port: 0, seed: 11, outputTokens: 12, ttftMs: 5 });
  const server = await startTestServer(
    {
      providers: [
        { id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
        { id: 'broken', type: 'openai-compatible', base_url: `${mock.url}/v1`, headers: { 'x-mock-fail': '503' } },
      ],
      models: [
        { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price },
        { name: 'large', provider: 'upstream', upstream_model: 'gpt-4o', price: { input_per_mtok: 2.5, output_per_mtok: 10 } },
        { name: 'down', provider: 'broken', price },
      ],
    },
    { UPSTREAM_KEY: 'upstream-secret' },
  );
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const chat = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const appKey = await server.createKey('app');
  const calls = { total: 0, errors: 0 };
  const plan: [string, boolean][] = [
    ['small', false],
    ['small', false],
    ['small', true],
    ['small', true],
    ['large', false],
    ['large', true],
    ['down', false],
    ['down', false],
  ];
  for (const [model, stream] of plan) {
    const response = await chat(
      appKey,
      {
        model,
        stream,
        messages: [{ role: 'user', content: `Seed call to ${model}` }],
        ...(stream ? { stream_options: { include_usage: true } } : {}),
      },
      { 'x-fener-metadata': JSON.stringify({ feature: 'seed' }) },
    );
    await response.text();
    calls.total += 1;
    if (!response.ok) calls.errors += 1;
  }
  await api('POST', '/api/prompts', {
    name: 'greet',
    messages: [
      { role: 'system', content: 'You are a friendly greeter.' },
      { role: 'user', content: 'Say hello to {{person}}.' },
    ],
    variables: { person: { type: 'string' } },
    parameters: { model: 'small', temperature: 0.2 },
    labels: ['production'],
  });
  await api('POST', '/api/registry/models', { name: 'support-llm', description: 'The model behind support replies' });
  await api('POST', '/api/registry/models/support-llm/versions', { provider: 'upstream', upstream_model: 'gpt-4o-mini', price });
  await api('PUT', '/api/registry/models/support-llm/aliases/champion', { version: 1 });
  await api('POST', '/api/deployments', { name: 'support', model: 'small', parameters: { temperature: 0.1 } });
  await api('POST', '/api/deployments/support/versions', { model: 'large', parameters: { temperature: 0.5 } });
  await flushTraces(server);
  return {
    mock,
    server,
    appKey,
    calls,
    api,
    chat,
    async stop() {
      await server.stop();
      await mock.close();
    },
  };
}
