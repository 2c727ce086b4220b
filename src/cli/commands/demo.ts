/**
 * `fener demo`: the first minute without any provider key. Starts the mock provider, a Fener
 * server in front of it, sends a little traffic of every kind, and prints where to look.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { configSchema, newSecret } from '../../core/index.js';
import { startMockProvider } from '../../mock/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { createLogger, parsePort, print } from '../shared.js';

interface DemoOptions {
  port: string;
  once?: boolean;
}

async function post(url: string, key: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-fener-user': 'demo-user' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

async function sendTraffic(server: RunningServer, key: string): Promise<Record<string, number>> {
  const chat = `${server.url}/v1/chat/completions`;
  const statuses: Record<string, number> = {};
  const count = (status: number): void => void (statuses[status] = (statuses[status] ?? 0) + 1);
  const messages = [{ role: 'user', content: 'Give me three ideas for a weekend in Istanbul.' }];
  for (let i = 0; i < 10; i++) count(await post(chat, key, { model: 'demo-small', messages, user: `user-${i % 3}` }));
  for (let i = 0; i < 5; i++)
    count(await post(chat, key, { model: 'demo-small', messages, stream: true, stream_options: { include_usage: true } }));
  const tool = {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  };
  count(await post(chat, key, { model: 'demo-large', messages: [{ role: 'user', content: 'Weather in Izmir?' }], tools: [tool] }));
  count(await post(`${server.url}/v1/embeddings`, key, { model: 'demo-embed', input: ['first', 'second'] }));
  count(await post(chat, key, { model: 'no-such-model', messages }));
  await server.context.runtime.recorder.flush();
  return statuses;
}

export async function demo(options: DemoOptions): Promise<void> {
  const mock = await startMockProvider({ port: 0, seed: 42, ttftMs: 30, tokensPerSecond: 400, outputTokens: 24 });
  const dataDir = process.env.FENER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'fener-demo-'));
  const price = (input: number, output: number): { input_per_mtok: number; output_per_mtok: number } => ({
    input_per_mtok: input,
    output_per_mtok: output,
  });
  const config = configSchema.parse({
    data_dir: dataDir,
    log_level: 'warn',
    server: { port: parsePort(options.port) },
    providers: [{ id: 'mock', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
    models: [
      { name: 'demo-small', provider: 'mock', upstream_model: 'gpt-4o-mini', price: price(0.15, 0.6) },
      { name: 'demo-large', provider: 'mock', upstream_model: 'gpt-4o', price: price(2.5, 10) },
      { name: 'demo-embed', provider: 'mock', upstream_model: 'text-embedding-3-small', price: price(0.02, 0), tasks: ['embeddings'] },
    ],
  });
  const adminKey = process.env.FENER_ADMIN_KEY ?? `sk-fener-admin-${newSecret(18)}`;
  const server = await startServer({ config, logger: createLogger(config), env: { ...process.env, FENER_ADMIN_KEY: adminKey } });
  const project = await server.context.store.projects.ensure('default');
  const { secret } = await server.context.store.keys.create({ projectId: project.id, name: 'demo', kind: 'project' });
  const statuses = await sendTraffic(server, secret);
  const traces = await server.context.store.traces.count();
  print(`Fener demo: a mock upstream at ${mock.url}, Fener at ${server.url} (data in ${dataDir})

Sent ${Object.values(statuses).reduce((a, b) => a + b, 0)} calls (HTTP status: count ${JSON.stringify(statuses)}); ${traces} traces recorded.

  admin key:    ${adminKey}
  virtual key:  ${secret}

Try:
  curl ${server.url}/v1/chat/completions -H 'Authorization: Bearer ${secret}' -H 'content-type: application/json' \\
    -d '{"model":"demo-small","messages":[{"role":"user","content":"Hello"}]}'
  curl '${server.url}/api/traces?limit=5' -H 'Authorization: Bearer ${adminKey}'
  curl ${server.url}/metrics
  FENER_DATA_DIR=${dataDir} npx fener traces list`);
  const stop = async (): Promise<void> => {
    await server.close();
    await mock.close();
  };
  if (options.once) return stop();
  print('\nPress Ctrl-C to stop.');
  const onSignal = (): void => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the mock provider and Fener with sample traffic: calls, traces and metrics in a minute, no keys needed')
    .option('--port <port>', 'port for Fener', '4000')
    .option('--once', 'send the traffic, print the summary and exit')
    .action((options: DemoOptions) => demo(options));
}
