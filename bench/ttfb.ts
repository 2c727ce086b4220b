/**
 * Time to first byte of a streamed chat completion (`stream: true`): from just before the request
 * is sent to the first chunk of the response body, one request at a time. The targets take turns
 * request by request, so that a noisy moment on a shared machine hits all of them alike.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { summarize, type LatencySummary } from './latency-stats.js';

export interface StreamTarget {
  name: string;
  /** Origin, e.g. `http://127.0.0.1:4100`. */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface TtfbResult {
  ttfb: LatencySummary;
  /** Time until the whole stream was read. */
  total: LatencySummary;
  errors: number;
}

interface Sample {
  ttfbMs: number;
  totalMs: number;
}

async function sampleOnce(pool: Pool, target: StreamTarget): Promise<Sample> {
  const started = performance.now();
  const response = await pool.request({ path: target.path, method: 'POST', headers: target.headers, body: target.body });
  let firstByteAt: number | undefined;
  let text = '';
  for await (const chunk of response.body) {
    firstByteAt ??= performance.now();
    text += (chunk as Buffer).toString('utf8');
  }
  const endedAt = performance.now();
  if (response.statusCode !== 200 || !text.includes('data: [DONE]')) {
    throw new Error(`${target.name}: HTTP ${response.statusCode}, not a complete stream: ${text.slice(0, 200)}`);
  }
  return { ttfbMs: (firstByteAt ?? endedAt) - started, totalMs: endedAt - started };
}

export async function measureTtfb(targets: StreamTarget[], options: { samples: number; warmup: number }): Promise<Map<string, TtfbResult>> {
  const pools = targets.map((target) => new Pool(target.origin, { connections: 1 }));
  const samples = targets.map(() => [] as Sample[]);
  const errors = targets.map(() => 0);
  const reported = targets.map(() => false);
  try {
    for (let round = 0; round < options.warmup + options.samples; round++) {
      for (const [index, target] of targets.entries()) {
        try {
          const sample = await sampleOnce(pools[index] as Pool, target);
          if (round >= options.warmup) samples[index]?.push(sample);
        } catch (error) {
          if (round >= options.warmup) errors[index] = (errors[index] ?? 0) + 1;
          if (!reported[index])
            process.stderr.write(`ttfb (first failure only): ${error instanceof Error ? error.message : String(error)}\n`);
          reported[index] = true;
        }
      }
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
  const results = new Map<string, TtfbResult>();
  for (const [index, target] of targets.entries()) {
    const taken = samples[index] ?? [];
    results.set(target.name, {
      ttfb: summarize(taken.map((sample) => sample.ttfbMs)),
      total: summarize(taken.map((sample) => sample.totalMs)),
      errors: errors[index] ?? 0,
    });
  }
  return results;
}
