/**
 * `npm run bench:sdk-prompts`: how long `PromptClient.get` takes from its cache, against the
 * network fetch it saves (the baseline, measured in the same run against a local Fener server
 * with a SQLite store). Prints µs per call and the ratio. Issue #5: a cached get is under 5 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { configSchema } from '../src/core/index.js';
import { PromptClient } from '../src/sdk/index.js';
import { startServer } from '../src/server/index.js';

const adminKey = 'sk-fener-admin-bench-key';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function time(runs: number, call: () => Promise<unknown>): Promise<{ mean: number; p50: number; p99: number }> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    await call();
    samples.push((performance.now() - started) * 1000);
  }
  samples.sort((a, b) => a - b);
  return { mean: samples.reduce((sum, value) => sum + value, 0) / runs, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fener-bench-sdk-'));
  const config = configSchema.parse({ data_dir: dataDir, log_level: 'silent', server: { port: 0 } });
  const server = await startServer({
    config,
    logger: pino({ level: 'silent' }),
    env: { FENER_ADMIN_KEY: adminKey },
    processMetrics: false,
  });
  try {
    const pushed = await fetch(`${server.url}/api/prompts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'support-reply',
        messages: [{ role: 'system', content: 'Help {{customer}}.' }],
        variables: { customer: { type: 'string' } },
        labels: ['production'],
      }),
    });
    if (!pushed.ok) throw new Error(`pushing the prompt failed: ${pushed.status}`);
    const uncached = new PromptClient({ baseUrl: server.url, apiKey: adminKey, ttlMs: 0, staleMs: 0 });
    const cached = new PromptClient({ baseUrl: server.url, apiKey: adminKey });
    await time(50, () => uncached.get('support-reply')); // warm-up: connections, JIT
    await cached.get('support-reply');
    await time(10_000, () => cached.get('support-reply'));
    const network = await time(300, () => uncached.get('support-reply'));
    const hit = await time(100_000, () => cached.get('support-reply'));
    const rendered = await time(100_000, async () => (await cached.get('support-reply')).render({ customer: 'Ada' }));
    const row = (name: string, stats: { mean: number; p50: number; p99: number }) =>
      `| ${name} | ${stats.mean.toFixed(2)} | ${stats.p50.toFixed(2)} | ${stats.p99.toFixed(2)} | ${(network.mean / stats.mean).toFixed(0)}× |`;
    process.stdout.write(
      [
        '| PromptClient.get | mean µs | p50 µs | p99 µs | faster than the fetch |',
        '| --- | --- | --- | --- | --- |',
        row('network fetch (baseline, no cache)', network),
        row('cached (fresh)', hit),
        row('cached get + render', rendered),
        '',
        `${hit.p99 < 5000 ? 'PASS' : 'FAIL'}: a cached get takes ${hit.p99.toFixed(2)} µs at p99 (target: under 5 ms)`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
