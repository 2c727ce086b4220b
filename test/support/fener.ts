/**
 * Starts a whole Fener server in this process on a random port, with its own data directory
 * (SQLite) or database (Postgres), for end-to-end tests with real HTTP clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema, type FenerConfigInput } from '../../src/core/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';

export interface TestServer extends RunningServer {
  adminKey: string;
  dataDir: string;
  /** Creates a project key through the API and returns its secret. */
  createKey(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestServer(
  input: FenerConfigInput = {},
  env: NodeJS.ProcessEnv = {},
  options: { canary?: { flushIntervalMs?: number; evaluateIntervalMs?: number } } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fener-e2e-'));
  const config = configSchema.parse({
    data_dir: dataDir,
    log_level: 'silent',
    ...input,
    server: { port: 0, ...(input.server ?? {}) },
    tracing: { flush_interval_ms: 20, ...(input.tracing ?? {}) },
  });
  const adminKey = 'sk-fener-admin-test-key';
  const logger = pino({ level: process.env.FENER_TEST_LOG ?? 'silent' });
  const server = await startServer({
    config,
    logger,
    env: { ...env, FENER_ADMIN_KEY: adminKey },
    processMetrics: false,
    ...(options.canary ? { canary: options.canary } : {}),
  });
  return {
    ...server,
    adminKey,
    dataDir,
    async createKey(name = 'test') {
      const response = await fetch(`${server.url}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (response.status !== 201) throw new Error(`creating a key failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { key: string }).key;
    },
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the trace recorder has written everything (traces are written off the hot path). */
export async function flushTraces(server: RunningServer): Promise<void> {
  await server.context.runtime.recorder.flush();
}

export async function adminGet<T>(server: TestServer, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  return { status: response.status, body: (await response.json()) as T };
}
